import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Room, noMetrics, readVector, silentLogger, type Clock, type KvStore, type RoomLink } from '@michat/core';
import { SqliteKvStore } from '@michat/store-sqlite';
import { CHANNEL_BITS, channelKey, encodeObject, makeName, makePrefix, nameFields, type Prefix } from '@michat/protocol';
import { RelayCache } from './relay-cache.ts';

const channelOf = (id: number): Prefix => makePrefix(makeName({ kind: 1, org: 1, team: 1, channel: id, device: 0, seq: 0 }), CHANNEL_BITS);
/** A 200-byte object of device 7 in `channel`. */
const text = (channel: Prefix, seq: number, extra: { expires?: number } = {}) =>
  encodeObject({ name: makeName({ ...nameFields(channel.name), device: 7, seq }), created: 1_000 + seq, keyEpoch: 0, ...extra }, new Uint8Array(200));

/** Channels cached on a real SQLite store, written as a relay writes them (rooms, relayed or local). */
describe('RelayCache: expiry, a size bound, least recently used first, never what upstream lacks', () => {
  let dir: string;
  let kv: KvStore;
  let now = 10_000;
  const clock: Clock = { now: () => now, setTimer: () => () => undefined };
  const inUse = new Set<string>();
  let cache: RelayCache;
  const open = async (maxBytes: number | undefined) =>
    (cache = await RelayCache.open({ kv, clock, logger: silentLogger, maxBytes, inUse: (c) => inUse.has(channelKey(c.name)) }));
  /** A room of the cache's store; `local` publishes mark the channel dirty in the same commit. */
  const room = (channel: Prefix) => {
    const link: RoomLink = { follow: async () => () => undefined, share: () => undefined, entries: (c) => [cache.dirtyEntry(c)], present: () => undefined, absent: () => undefined, roster: async () => undefined };
    return Room.load(channel, { kv, clock, metrics: noMetrics, link });
  };
  const fill = async (channel: Prefix, count: number, how: 'relayed' | 'local') => {
    const r = await room(channel);
    for (let seq = 1; seq <= count; seq++) {
      const obj = text(channel, seq);
      if (how === 'relayed') await r.accept(obj.bytes);
      else await r.publish(obj);
    }
    cache.touch(channel);
    now += 1_000;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'michat-relay-cache-'));
    kv = SqliteKvStore.open(join(dir, 'cache.sqlite'));
  });
  afterEach(async () => {
    inUse.clear();
    await kv.close?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('evicts whole channels, least recently used first, until under the bound; an evicted channel reads as empty', async () => {
    await open(undefined);
    const [a, b, c] = [channelOf(1), channelOf(2), channelOf(3)];
    await fill(a, 10, 'relayed'); // used first
    await fill(b, 10, 'relayed');
    await fill(c, 10, 'relayed'); // used last
    const sizes = await cache.sweep();
    expect(sizes.evicted).toEqual([]);
    const perChannel = sizes.bytes / 3;

    await open(Math.ceil(perChannel * 2)); // room for two channels
    cache.touch(a); // a is used again: b is now the least recently used
    const swept = await cache.sweep();
    expect(swept.evicted).toEqual([channelKey(b.name)]);
    expect(swept.bytes).toBeLessThanOrEqual(perChannel * 2);
    expect((await readVector(kv, b.name)).count()).toBe(0); // followed again from scratch when used
    expect((await readVector(kv, a.name)).count()).toBe(10);
    expect((await readVector(kv, c.name)).count()).toBe(10);
    expect(await kv.list(`t/${channelKey(b.name)}/`)).toEqual([]);
  });

  it('never evicts a channel in use, or one holding what the parent may lack (until an exchange cleans it)', async () => {
    await open(undefined);
    const [a, b] = [channelOf(4), channelOf(5)];
    await fill(a, 10, 'local'); // written here: dirty
    await fill(b, 10, 'relayed');
    expect(cache.isDirty(a)).toBe(true);
    expect(cache.isDirty(b)).toBe(false);
    inUse.add(channelKey(b.name));
    await open(1); // nothing fits; still, nothing may go
    expect(cache.isDirty(a)).toBe(true); // the mark survived a reopen (it is in the store)
    expect((await cache.sweep()).evicted).toEqual([]);

    // The parent now holds everything: clean, unless the channel changed in between.
    const digest = (await readVector(kv, a.name)).digest();
    await cache.clean(a, digest, async () => 'changed since');
    expect(cache.isDirty(a)).toBe(true);
    await cache.clean(a, digest, async () => (await readVector(kv, a.name)).digest());
    expect(cache.isDirty(a)).toBe(false);
    expect((await cache.sweep()).evicted).toEqual([channelKey(a.name)]);
  });

  it('deletes expired objects from the store', async () => {
    await open(undefined);
    const ch = channelOf(6);
    const r = await room(ch);
    await r.accept(text(ch, 1, { expires: now + 500 }).bytes);
    await r.accept(text(ch, 2).bytes);
    now += 1_000;
    const swept = await cache.sweep();
    expect(swept.expired).toBe(1);
    expect((await kv.list(`o/${channelKey(ch.name)}`)).length).toBe(1);
    // History still answers (the index points at nothing for the expired one).
    expect((await r.history({ limit: 10 })).objs.length).toBe(1);
  });
});
