import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runKvStoreTests } from '@michat/testkit';
import { SqliteKvStore, type SqliteKvOptions } from './sqlite-kv.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));

runKvStoreTests('SqliteKvStore (file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'michat-kv-'));
  // A nested path also checks that open() creates parent directories.
  const path = join(dir, 'nested', 'kv.sqlite');
  return {
    store: SqliteKvStore.open(path),
    reopen: async () => SqliteKvStore.open(path),
    teardown: () => rm(dir, { recursive: true, force: true }),
  };
});

runKvStoreTests('SqliteKvStore (:memory:, synchronous NORMAL, batches of 7)', async () => ({
  store: SqliteKvStore.open(':memory:', { synchronous: 'NORMAL', maxBatchOperations: 7 }),
}));

describe('SqliteKvStore', () => {
  let dir: string;
  let path: string;
  const stores: SqliteKvStore[] = [];
  const open = (options?: SqliteKvOptions): SqliteKvStore => {
    const store = SqliteKvStore.open(path, options);
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'michat-kv-'));
    path = join(dir, 'kv.sqlite');
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uses WAL and resolves a write only once another connection can read it', async () => {
    const store = open();
    await store.put('seen', bytes('by others'));
    const other = new DatabaseSync(path);
    try {
      expect(other.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      const row = other.prepare('SELECT value FROM kv WHERE key = ?').get('seen');
      expect(text(row?.value as Uint8Array)).toBe('by others');
    } finally {
      other.close();
    }
  });

  it('resolves thousands of concurrent puts across many batches, all readable', async () => {
    const store = open({ maxBatchOperations: 512 });
    const count = 5_000;
    const keyOf = (index: number) => `bulk/${String(index).padStart(5, '0')}`;
    await Promise.all(Array.from({ length: count }, (_, index) => store.put(keyOf(index), bytes(`value ${index}`))));
    const listed = await store.list('bulk/');
    expect(listed).toHaveLength(count);
    listed.forEach(([key, value], index) => {
      expect(key).toBe(keyOf(index));
      expect(text(value)).toBe(`value ${index}`);
    });
    await store.close();
    const reopened = open();
    expect(await reopened.list('bulk/', { reverse: true, limit: 1 })).toEqual([[keyOf(count - 1), bytes(`value ${count - 1}`)]]);
  });

  it('a failing COMMIT rejects every operation of its batch and writes none of them', async () => {
    const store = open();
    // A deferred foreign key is checked only at COMMIT: a trigger makes key 'poison' violate one.
    // (node:sqlite enforces foreign keys by default.)
    const saboteur = new DatabaseSync(path);
    saboteur.exec(`
      CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER poison AFTER INSERT ON kv WHEN NEW.key = 'poison' BEGIN INSERT INTO child VALUES (42); END;
    `);
    saboteur.close();
    await store.put('before', bytes('committed earlier'));

    const innocentPut = store.put('innocent', bytes('same batch'));
    const read = store.get('before');
    const poisoned = store.put('poison', bytes('x'));
    const results = await Promise.allSettled([innocentPut, read, poisoned]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(String((result as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/i);
    }
    // Rolled back, and the store keeps working with fresh batches.
    expect(await store.get('innocent')).toBeUndefined();
    expect(await store.get('poison')).toBeUndefined();
    expect(text(await store.get('before'))).toBe('committed earlier');
    await store.put('after', bytes('fine'));
    await store.close();
    const reopened = open();
    expect((await reopened.list('')).map(([key]) => key)).toEqual(['after', 'before']);
  });

  it('an acknowledged write survives SIGKILL of the writing process', async () => {
    const count = 300;
    const moduleUrl = new URL('./sqlite-kv.ts', import.meta.url).href;
    const childScript = join(dir, 'crash-child.mjs');
    await writeFile(
      childScript,
      `const { SqliteKvStore } = await import(process.argv[2]);
const store = SqliteKvStore.open(process.argv[3]);
const count = Number(process.argv[4]);
await Promise.all(Array.from({ length: count }, (_, i) => store.put('crash/' + String(i).padStart(4, '0'), new TextEncoder().encode('v' + i))));
process.stdout.write('acked\\n', () => process.kill(process.pid, 'SIGKILL'));
`,
    );
    const { stdout, stderr, signal } = await new Promise<{ stdout: string; stderr: string; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn(process.execPath, [childScript, moduleUrl, path, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (_code, exitSignal) => resolve({ stdout: out, stderr: err, signal: exitSignal }));
    });
    expect(stderr).toBe('');
    expect(stdout).toBe('acked\n');
    expect(signal).toBe('SIGKILL');

    const reopened = open();
    const entries = await reopened.list('crash/');
    expect(entries).toHaveLength(count);
    entries.forEach(([key, value], index) => {
      expect(key).toBe(`crash/${String(index).padStart(4, '0')}`);
      expect(text(value)).toBe(`v${index}`);
    });
  });

  it('rejects an unknown synchronous mode', async () => {
    expect(() => SqliteKvStore.open(':memory:', { synchronous: 'OFF' as 'FULL' })).toThrow(RangeError);
  });
});
