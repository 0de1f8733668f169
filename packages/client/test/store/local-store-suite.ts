import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { positionToCursor } from '@michat/protocol';
import type { LocalStore, OutboxEntry, StoredObject } from '../../src/index.ts';

/** What an adapter's test file provides: a fresh store over empty data. */
export interface LocalStoreHarness {
  store: LocalStore;
  /** Closes `store` and opens the same data again (a reload). */
  reopen(): Promise<LocalStore>;
  /** Another handle on the same data, as another tab would have. */
  second(): Promise<LocalStore>;
  cleanup(): Promise<void>;
}

const CHANNEL = '00000100000100000a';
const SIBLING = '00000100000100000b';

function obj(created: number, device: number, seq: number, fill = seq, size = 40): StoredObject {
  const name = `01000010000100000a${device.toString(16).padStart(6, '0')}${seq.toString(16).padStart(8, '0')}`;
  return { name, position: positionToCursor({ created, device, seq }), bytes: new Uint8Array(size).fill(fill) };
}

function entry(localId: string, queuedAt: number, seq: number, fill = 1): OutboxEntry {
  return { localId, channel: CHANNEL, name: obj(0, 7, seq).name, bytes: new Uint8Array([fill, seq]), queuedAt, state: 'pending' };
}

/** The LocalStore contract; every adapter's test file runs it. */
export function runLocalStoreTests(adapter: string, open: () => Promise<LocalStoreHarness>): void {
  describe(`LocalStore conformance: ${adapter}`, () => {
    let h: LocalStoreHarness;
    let store: LocalStore;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(() => h.cleanup());

    it('holds objects as a set by name (first write wins) in display order, per channel', async () => {
      await store.addObjects(CHANNEL, [obj(300, 1, 3), obj(100, 2, 1)]);
      await store.addObjects(CHANNEL, [obj(200, 1, 2), obj(100, 2, 1, 99), obj(100, 1, 1)]);
      await store.addObjects(SIBLING, [obj(150, 1, 1)]);
      const held = await store.objects(CHANNEL);
      expect(held.map((o) => o.position)).toEqual([obj(100, 1, 1), obj(100, 2, 1), obj(200, 1, 2), obj(300, 1, 3)].map((o) => o.position));
      expect(held[1]!.bytes).toEqual(obj(100, 2, 1).bytes); // not the later copy with other bytes
      expect(await store.objects(SIBLING)).toHaveLength(1);
      expect(await store.channels()).toEqual([CHANNEL, SIBLING]);
      expect(await store.objects('00000100000100000c')).toEqual([]);
    });

    it('pages objects: the newest `limit` before a position, oldest first', async () => {
      const all = Array.from({ length: 30 }, (_, i) => obj(1_000 + i, 4, i + 1));
      await store.addObjects(CHANNEL, [...all].reverse());
      expect((await store.objects(CHANNEL, { limit: 5 })).map((o) => o.name)).toEqual(all.slice(25).map((o) => o.name));
      expect((await store.objects(CHANNEL, { before: all[10]!.position, limit: 4 })).map((o) => o.name)).toEqual(all.slice(6, 10).map((o) => o.name));
      expect(await store.objects(CHANNEL, { before: all[0]!.position, limit: 4 })).toEqual([]);
      expect(await store.objects(CHANNEL, { before: all[2]!.position })).toHaveLength(2);
    });

    it('keeps large objects and local ids exactly', async () => {
      const big = { ...obj(5, 1, 1, 7, 65_536), localId: 'l-123' };
      big.bytes[0] = 0;
      big.bytes[65_535] = 255;
      await store.addObjects(CHANNEL, [big]);
      const [back] = await store.objects(CHANNEL);
      expect(back).toEqual(big);
    });

    it('keeps one vector per subscription, replaced on each write', async () => {
      expect(await store.vector(`${CHANNEL}/72`)).toBeUndefined();
      await store.setVector(`${CHANNEL}/72`, [[4, 3, [[5, 9]]]]);
      await store.setVector(`${SIBLING}/72`, [[1, 1]]);
      await store.setVector(`${CHANNEL}/72`, [[4, 12]]);
      expect(await store.vector(`${CHANNEL}/72`)).toEqual([[4, 12]]);
      expect(await store.vectors()).toEqual({ [`${CHANNEL}/72`]: [[4, 12]], [`${SIBLING}/72`]: [[1, 1]] });
    });

    it('hands out sequence numbers per (device, channel), above any floor, never twice', async () => {
      expect(await store.takeSeq(7, CHANNEL)).toBe(1);
      expect(await store.takeSeq(7, CHANNEL)).toBe(2);
      expect(await store.takeSeq(8, CHANNEL)).toBe(1);
      expect(await store.takeSeq(7, SIBLING)).toBe(1);
      expect(await store.takeSeq(7, CHANNEL, 40)).toBe(41);
      expect(await store.takeSeq(7, CHANNEL, 3)).toBe(42);
      await store.raiseSeqs({ [`7/${CHANNEL}`]: 10, [`9/${CHANNEL}`]: 5 });
      expect(await store.seqCounters()).toEqual({ [`7/${CHANNEL}`]: 42, [`8/${CHANNEL}`]: 1, [`7/${SIBLING}`]: 1, [`9/${CHANNEL}`]: 5 });
    });

    it('two handles taking numbers at once never get the same one', async () => {
      const other = await h.second();
      const taken = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).takeSeq(3, CHANNEL)));
      expect([...taken].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it('keeps the outbox in queue order and replaces an entry by its local id', async () => {
      await store.putOutbox(entry('b', 20, 2));
      await store.putOutbox(entry('a', 10, 1));
      await store.putOutbox(entry('c', 20, 1));
      await store.putOutbox({ ...entry('a', 10, 1), state: 'failed', error: { kind: 'Forbidden', message: 'no' } });
      const out = await store.outbox();
      expect(out.map((e) => e.localId)).toEqual(['a', 'c', 'b']);
      expect(out[0]).toMatchObject({ state: 'failed', error: { kind: 'Forbidden', message: 'no' } });
      await store.removeOutbox('c');
      expect((await store.outbox()).map((e) => e.localId)).toEqual(['a', 'b']);
    });

    it('swaps an outbox entry only while it still holds the expected bytes', async () => {
      const first = entry('m', 1, 1);
      await store.putOutbox(first);
      const renumbered = { ...entry('m', 1, 5, 2) };
      expect(await store.swapOutbox('m', first.bytes, renumbered)).toEqual(renumbered);
      // A second swapper that still expects the old bytes gets the winner's entry instead.
      expect(await store.swapOutbox('m', first.bytes, entry('m', 1, 6, 3))).toEqual(renumbered);
      expect(await store.outbox()).toEqual([renumbered]);
      await store.removeOutbox('m');
      expect(await store.swapOutbox('m', renumbered.bytes, first)).toBeUndefined();
      expect(await store.outbox()).toEqual([]);
    });

    it('concurrent swaps from two handles: exactly one wins', async () => {
      const other = await h.second();
      const first = entry('x', 1, 1);
      await store.putOutbox(first);
      const results = await Promise.all([store.swapOutbox('x', first.bytes, entry('x', 1, 2, 2)), other.swapOutbox('x', first.bytes, entry('x', 1, 3, 3))]);
      expect(results[0]).toEqual(results[1]);
      expect(await store.outbox()).toEqual([results[0]]);
    });

    it('keeps JSON records and lists them by prefix (siblings excluded)', async () => {
      expect(await store.getRecord('profile')).toBeUndefined();
      const profile = { serverUrl: 'http://example.test', session: { userId: 3, nested: [1, 'two', null, true] } };
      await store.setRecord('profile', profile);
      await store.setRecord('read/b', 'x2');
      await store.setRecord('read/a', 'x1');
      await store.setRecord('reader', 'not a read mark');
      expect(await store.getRecord('profile')).toEqual(profile);
      expect(await store.records('read/')).toEqual([['read/a', 'x1'], ['read/b', 'x2']]);
      await store.deleteRecord('read/a');
      expect(await store.records('read/')).toEqual([['read/b', 'x2']]);
      const copy = (await store.getRecord<typeof profile>('profile'))!;
      copy.session.userId = 99; // what a caller does with a value never changes the store
      expect(await store.getRecord('profile')).toEqual(profile);
    });

    it('runs exclusive sections one at a time per name, across handles', async () => {
      const other = await h.second();
      const trace: string[] = [];
      const section = (s: LocalStore, id: string) =>
        s.exclusive('refresh', async () => {
          trace.push(`${id}+`);
          await new Promise((r) => setTimeout(r, 10));
          trace.push(`${id}-`);
        });
      await Promise.all([section(store, 'a'), section(other, 'b'), section(store, 'c')]);
      for (let i = 0; i < trace.length; i += 2) expect(trace[i]!.slice(0, -1)).toBe(trace[i + 1]!.slice(0, -1));
    });

    it('clear forgets everything and the store stays usable', async () => {
      await store.addObjects(CHANNEL, [obj(1, 1, 1)]);
      await store.setVector('v', [[1, 1]]);
      await store.takeSeq(1, CHANNEL);
      await store.putOutbox(entry('q', 1, 1));
      await store.setRecord('profile', { a: 1 });
      await store.clear();
      expect(await store.channels()).toEqual([]);
      expect(await store.objects(CHANNEL)).toEqual([]);
      expect(await store.vectors()).toEqual({});
      expect(await store.seqCounters()).toEqual({});
      expect(await store.outbox()).toEqual([]);
      expect(await store.records('')).toEqual([]);
      expect(await store.takeSeq(1, CHANNEL)).toBe(1);
      await store.addObjects(CHANNEL, [obj(1, 1, 1)]);
      expect(await store.objects(CHANNEL)).toHaveLength(1);
    });

    it('everything survives a reopen', async () => {
      await store.addObjects(CHANNEL, [obj(2, 1, 2), obj(1, 1, 1)]);
      await store.setVector(`${CHANNEL}/72`, [[1, 2]]);
      await store.takeSeq(1, CHANNEL);
      await store.takeSeq(1, CHANNEL);
      await store.putOutbox(entry('p', 5, 3));
      await store.setRecord('directory', { me: { userId: 1 } });
      const again = await h.reopen();
      expect((await again.objects(CHANNEL)).map((o) => o.name)).toEqual([obj(1, 1, 1).name, obj(2, 1, 2).name]);
      expect(await again.vector(`${CHANNEL}/72`)).toEqual([[1, 2]]);
      expect(await again.takeSeq(1, CHANNEL)).toBe(3);
      expect(await again.outbox()).toEqual([entry('p', 5, 3)]);
      expect(await again.getRecord('directory')).toEqual({ me: { userId: 1 } });
    });
  });
}
