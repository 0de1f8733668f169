import { describe, expect, it } from 'vitest';
import { runKvStoreTests } from '@michat/testkit';
import { MemoryKvStore } from './memory-kv.ts';

runKvStoreTests('MemoryKvStore', async () => ({ store: new MemoryKvStore() }));

describe('MemoryKvStore', () => {
  it('lists the newest N of thousands of keys in reverse', async () => {
    const store = new MemoryKvStore();
    const keys = Array.from({ length: 5_000 }, (_, index) => `msg/${String(index).padStart(6, '0')}`);
    for (const key of keys) await store.put(key, new Uint8Array([1]));
    const newest = await store.list('msg/', { reverse: true, limit: 3 });
    expect(newest.map(([key]) => key)).toEqual(keys.slice(-3).reverse());
  });
});
