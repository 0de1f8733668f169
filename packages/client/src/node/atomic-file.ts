import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces a file so that a crash leaves either the old or the new content, never a mix:
 * write a temporary file beside it, fsync it, rename it over the old one, fsync the folder.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (e) {
    await file.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await file.close();
  await rename(tmp, path);
  await syncFolder(dirname(path));
}

/** Makes a rename or a new file in the folder durable (best effort where folders cannot be opened). */
export async function syncFolder(path: string): Promise<void> {
  try {
    const dir = await open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

/**
 * Reads a JSON-lines file written by appends. A crash during an append can leave a torn last
 * line: it is cut off (the file is truncated to its last complete line), so the next append
 * starts clean. Lines that do not parse are skipped.
 */
export async function readJsonLines(path: string): Promise<unknown[]> {
  let file;
  try {
    file = await open(path, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  try {
    const text = (await file.readFile()).toString('utf8');
    const complete = text.lastIndexOf('\n') + 1;
    if (complete < text.length) await file.truncate(Buffer.byteLength(text.slice(0, complete)));
    const out: unknown[] = [];
    for (const line of text.slice(0, complete).split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // a damaged line loses one object; the next sync fetches it again
      }
    }
    return out;
  } finally {
    await file.close();
  }
}

/** Appends lines (each a JSON value) and makes them durable before resolving. */
export async function appendJsonLines(path: string, values: readonly unknown[]): Promise<void> {
  if (!values.length) return;
  const file = await open(path, 'a', 0o600);
  try {
    await file.appendFile(values.map((v) => JSON.stringify(v) + '\n').join(''));
    await file.datasync();
  } finally {
    await file.close();
  }
}
