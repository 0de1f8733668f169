import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeObject, fromHex, toHex, type MichatObject } from '@michat/protocol';
import { CliError } from '../output.ts';

/**
 * A dump on disk: one file per object, named by the object's name in hex (`<32 hex>.obj`,
 * holding exactly the object's stored bytes), and `manifest.json` listing every file with
 * its SHA-256, so a damaged or partial dump is refused before anything is sent.
 */
export const DUMP_FORMAT = 'michat-dump/1';
export const MANIFEST = 'manifest.json';
const OBJECT_FILE = /^([0-9a-f]{32})\.obj$/;

export interface Manifest {
  format: typeof DUMP_FORMAT;
  /** The prefix dumped, in text form, and in hex with its length. */
  prefix: string;
  prefixHex: string;
  /** The server it came from, and when. */
  source: string;
  dumpedAt: string;
  /** Hex name → SHA-256 (hex) of the file. */
  objects: Record<string, string>;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function writeObject(dir: string, obj: MichatObject): Promise<string> {
  const hex = toHex(obj.name);
  await writeFile(join(dir, `${hex}.obj`), obj.bytes);
  return sha256(obj.bytes);
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Reads and checks a whole dump: the manifest, every file it lists (hash, and the name
 * inside the object equals the file's), and no object file it does not list.
 */
export async function readDump(dir: string): Promise<{ manifest: Manifest; objects: MichatObject[] }> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch (e) {
    throw new CliError(`${dir} is not a michat dump: cannot read ${MANIFEST} (${(e as Error).message})`);
  }
  if (manifest.format !== DUMP_FORMAT || typeof manifest.objects !== 'object' || manifest.objects === null) {
    throw new CliError(`${dir}/${MANIFEST}: not a ${DUMP_FORMAT} manifest`);
  }
  const listed = new Set(Object.keys(manifest.objects));
  for (const file of await readdir(dir)) {
    const hex = OBJECT_FILE.exec(file)?.[1];
    if (hex !== undefined && !listed.has(hex)) throw new CliError(`${file} is not in the manifest: the dump was changed after it was written`);
  }
  const objects: MichatObject[] = [];
  for (const [hex, hash] of Object.entries(manifest.objects)) {
    if (!fromHex(hex) || hex.length !== 32) throw new CliError(`manifest lists "${hex}", which is not a name`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(dir, `${hex}.obj`)));
    } catch {
      throw new CliError(`${hex}.obj is missing`);
    }
    if (sha256(bytes) !== hash) throw new CliError(`${hex}.obj is damaged (its SHA-256 differs from the manifest)`);
    let obj: MichatObject;
    try {
      obj = decodeObject(bytes);
    } catch (e) {
      throw new CliError(`${hex}.obj is not an object: ${(e as Error).message}`);
    }
    if (toHex(obj.name) !== hex) throw new CliError(`${hex}.obj holds the object ${toHex(obj.name)}`);
    objects.push(obj);
  }
  return { manifest, objects };
}
