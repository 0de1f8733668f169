import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionToCursor } from '@michat/protocol';
import { FileStore } from '../../src/node/index.ts';
import { runLocalStoreTests } from './local-store-suite.ts';

runLocalStoreTests('FileStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'michat-file-store-'));
  const handles: FileStore[] = [];
  const open = async () => {
    const store = await FileStore.open(dir);
    handles.push(store);
    return store;
  };
  const store = await open();
  return {
    store,
    reopen: async () => {
      for (const s of handles.splice(0)) await s.close();
      return open();
    },
    second: open,
    cleanup: async () => {
      for (const s of handles) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('FileStore on disk', () => {
  const channel = '00000100000100000a';
  const object = (seq: number) => ({
    name: `01000010000100000a000007${seq.toString(16).padStart(8, '0')}`,
    position: positionToCursor({ created: seq, device: 7, seq }),
    bytes: new Uint8Array([seq]),
  });

  it('cuts a torn last line (a crash mid-append) and appends cleanly after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'michat-file-store-'));
    try {
      let store = await FileStore.open(dir);
      await store.addObjects(channel, [object(1), object(2)]);
      await store.close();
      const file = join(dir, 'objects', `${channel}.jsonl`);
      await appendFile(file, '{"name":"0100001000010000');
      store = await FileStore.open(dir);
      expect((await store.objects(channel)).map((o) => o.bytes[0])).toEqual([1, 2]);
      await store.addObjects(channel, [object(3)]);
      await store.close();
      expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(3);
      store = await FileStore.open(dir);
      expect((await store.objects(channel)).map((o) => o.bytes[0])).toEqual([1, 2, 3]);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a folder another live process holds, and takes over a dead one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'michat-file-store-'));
    try {
      await writeFile(join(dir, 'lock'), String(process.ppid)); // alive: the test runner's parent
      await expect(FileStore.open(dir)).rejects.toThrow(/in use by process/);
      await writeFile(join(dir, 'lock'), '999999999'); // no such process
      const store = await FileStore.open(dir);
      expect(await store.takeSeq(1, channel)).toBe(1);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
