/** Browser bundles for mls-bench.ts: built with vite (rolldown), minified, sizes with gzip -9. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** ts-mls's optional peers (other cipher suites), imported dynamically; left out of bundles when not installed. */
const OPTIONAL_PEERS = ['@hpke/chacha20poly1305', '@hpke/dhkem-x448', '@hpke/hybridkem-x-wing', '@hpke/ml-kem', '@noble/curves', '@noble/post-quantum', '@noble/hashes'];

function installed(specifier: string): boolean {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface Bundle {
  entry: string;
  /** The entry chunk. */
  main: BundleFile;
  /** Every emitted .js/.mjs file (chunks loaded lazily or by the entry included). */
  files: BundleFile[];
  totalBytes: number;
  totalGzipBytes: number;
  /** Optional peers that were not installed and stayed external (dynamic imports left in the code). */
  external: string[];
}

export function sizeOf(bytes: Uint8Array, file: string): BundleFile {
  return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

/** Builds `entry` into `outDir` (emptied first: every .js/.mjs in it is counted) as an ES module `${name}.js`, minified. */
export async function buildBundle(entry: string, outDir: string, name: string, minify = true): Promise<Bundle> {
  const external = OPTIONAL_PEERS.filter((p) => !installed(`${p}/package.json`) && !installed(p));
  await build({
    root: outDir,
    configFile: false,
    logLevel: 'error',
    build: {
      lib: { entry, formats: ['es'], fileName: () => `${name}.js` },
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify,
      rollupOptions: { external: (id: string) => external.some((p) => id === p || id.startsWith(`${p}/`)) },
    },
  });
  const files: BundleFile[] = [];
  for (const f of await readdir(outDir)) {
    if (f.endsWith('.js') || f.endsWith('.mjs')) files.push(sizeOf(await readFile(join(outDir, f)), f));
  }
  const main = files.find((f) => f.file === `${name}.js`);
  if (!main) throw new Error(`vite did not write ${name}.js`);
  return {
    entry: basename(entry),
    main,
    files,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
    totalGzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0),
    external,
  };
}

export async function fileSize(path: string): Promise<BundleFile> {
  return sizeOf(await readFile(path), basename(path));
}

/** Bytes of every file under `dir` (an installed package's footprint). */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}
