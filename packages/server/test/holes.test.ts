import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_VECTOR_RANGES_PER_ENTRY, MichatError, VersionVector, decodeObject, nameSeq, type Channel, type ServerFrame, type Session } from '@michat/protocol';
import { streamStateKey } from '@michat/core';
import { RawClient } from '@michat/testkit';
import { channelPrefix, startFixture, teamWithChannel, textObject, type Fixture } from './fixture.ts';

function seqsFor(frames: ServerFrame[], id: number): number[] {
  return frames.flatMap((fr) => (fr.t === 'objs' && fr.id === id ? fr.objs.map((b) => nameSeq(decodeObject(b).name)) : [])).sort((a, b) => a - b);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('a device stream with a permanent hole', () => {
  let f: Fixture;
  let bob: Session;
  let channel: Channel;
  let pub: RawClient;
  beforeAll(async () => {
    f = await startFixture({ config: { connection: { ratePerSec: 100_000, burst: 100_000 } } });
    bob = await f.user('bob');
    ({ channel } = await teamWithChannel(f, [bob]));
    pub = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    // seq 4 is taken and never stored (a crash between numbering and sending)
    const seqs = [1, 2, 3, ...range(5, 300)];
    const acks = await Promise.all(seqs.map((s) => pub.request({ t: 'pub', id: s, obj: textObject(channel, f.admin, s, `m${s}`).bytes })));
    expect(acks.every((a) => a.t === 'ack' && !a.dup)).toBe(true);
  });
  afterAll(async () => {
    pub.close();
    await f.close();
  });

  it('the stored stream state is two intervals (20 bytes), not a list of every seq above the hole', async () => {
    const key = streamStateKey(channelPrefix(channel), f.admin.deviceId);
    const expected = Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0x01, 0x2c);
    expect(await f.server.node.kv.get(key)).toEqual(expected);
    const room = await f.server.node.rooms.get({ name: channelPrefix(channel), bits: 72 });
    expect(room.held.intervals(f.admin.deviceId)).toEqual([[1, 3], [5, 300]]);
  });

  it('a reader holding 1-3 and 5-100 syncs and gets exactly 101-300; with sub too', async () => {
    const reader = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    const held = new VersionVector();
    held.addRange(f.admin.deviceId, 1, 3);
    held.addRange(f.admin.deviceId, 5, 100);
    expect(held.entries()).toEqual([[f.admin.deviceId, 3, [[5, 100]]]]);
    const prefix = channelPrefix(channel);
    expect(await reader.request({ t: 'sync', id: 1, prefix, bits: 72, since: held.entries() })).toEqual({ t: 'subok', id: 1 });
    expect(seqsFor(reader.received, 1)).toEqual(range(101, 300));
    expect(await reader.request({ t: 'sub', id: 2, prefix, bits: 72, since: held.entries() })).toEqual({ t: 'subok', id: 2 });
    expect(seqsFor(reader.received, 2)).toEqual(range(101, 300));
    // a device-stream prefix (96 bits) goes the same way
    const stream = textObject(channel, f.admin, 1, 'x').name.slice();
    stream.fill(0, 12);
    expect(await reader.request({ t: 'sync', id: 3, prefix: stream, bits: 96, since: held.entries() })).toEqual({ t: 'subok', id: 3 });
    expect(seqsFor(reader.received, 3)).toEqual(range(101, 300));
    reader.close();
  });

  it('a heartbeat is silent for a reader with the same hole; otherwise vec carries the ranges and sync heals exactly', async () => {
    const reader = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    const prefix = channelPrefix(channel);
    const d = f.admin.deviceId;
    const all = VersionVector.from([[d, 3, [[5, 300]]]]);
    const lacking = VersionVector.from([[d, 3, [[5, 120], [122, 300]]]]);
    reader.send({ t: 'hb', status: 'active', watch: [{ prefix, bits: 72, digest: all.digest() }] });
    reader.send({ t: 'hb', status: 'active', watch: [{ prefix, bits: 72, digest: lacking.digest() }] });
    const vec = await reader.next((fr) => fr.t === 'vec');
    await reader.request({ t: 'hist', id: 99, channel: prefix, limit: 1 }); // both heartbeats handled by now
    expect(reader.received.filter((fr) => fr.t === 'vec')).toHaveLength(1);
    expect(vec).toEqual({ t: 'vec', prefix, bits: 72, vector: [[d, 3, [[5, 300]]]] });
    expect(await reader.request({ t: 'sync', id: 5, prefix, bits: 72, since: lacking.entries() })).toEqual({ t: 'subok', id: 5 });
    expect(seqsFor(reader.received, 5)).toEqual([121]);
    reader.close();
  });

  it('publishing more keeps the stored state at 20 bytes', async () => {
    await Promise.all(range(301, 340).map((s) => pub.request({ t: 'pub', id: s, obj: textObject(channel, f.admin, s, `m${s}`).bytes })));
    const stored = await f.server.node.kv.get(streamStateKey(channelPrefix(channel), f.admin.deviceId));
    expect(stored?.length).toBe(20);
  });

  it('a device may have at most MAX_VECTOR_RANGES_PER_ENTRY holes per channel; the next seq after its highest is always fine', async () => {
    const { channel: holey } = await teamWithChannel(f, [], 'holey');
    const room = await f.server.node.rooms.get({ name: channelPrefix(holey), bits: 72 });
    const publish = (seq: number) => room.publish(textObject(holey, f.admin, seq, `h${seq}`));
    // 1, 3, 5, …: every publish after the first leaves one more hole
    const last = 2 * MAX_VECTOR_RANGES_PER_ENTRY + 1;
    for (let s = 1; s <= last; s += 2) await publish(s);
    expect(room.held.rangeCount(f.admin.deviceId)).toBe(MAX_VECTOR_RANGES_PER_ENTRY);
    const refused = await publish(last + 2).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MichatError);
    expect((refused as MichatError).kind).toBe('BadRequest');
    expect(room.held.has(f.admin.deviceId, last + 2)).toBe(false);
    expect(await publish(last + 1)).toEqual({ dup: false }); // right after the highest
    expect(await publish(2)).toEqual({ dup: false }); // filling a hole
    expect(room.held.rangeCount(f.admin.deviceId)).toBe(MAX_VECTOR_RANGES_PER_ENTRY - 1);
    expect(await publish(last + 3)).toEqual({ dup: false }); // and now there is room for one more
    const stored = await f.server.node.kv.get(streamStateKey(channelPrefix(holey), f.admin.deviceId));
    expect(stored?.length).toBe(4 + 8 * (MAX_VECTOR_RANGES_PER_ENTRY + 1));
  });
});

describe('ping and errors that name a prefix', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  it('ping is answered with pong and the server clock, after hello only', async () => {
    const c = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const before = Date.now();
    const pong = await c.request({ t: 'ping', id: 42 });
    expect(pong).toMatchObject({ t: 'pong', id: 42 });
    expect(pong.t === 'pong' && pong.serverTime >= before - 1000 && pong.serverTime <= Date.now() + 1000).toBe(true);
    c.close();
    const early = await RawClient.open(f.server.wsUrl);
    early.send({ t: 'ping', id: 1 });
    expect(await early.next((fr) => fr.t === 'err')).toMatchObject({ t: 'err', id: 1, kind: 'Unauthorized' });
    await early.closed;
  });

  it('after losing membership a heartbeat entry fails with its prefix, the other entries still work, and live delivery there ends', async () => {
    const dave = await f.user('dave');
    const { channel: lose } = await teamWithChannel(f, [dave], 'lose');
    const { channel: keep } = await teamWithChannel(f, [dave], 'keep');
    const d = await RawClient.connect(f.server.wsUrl, dave.accessToken);
    expect(await d.request({ t: 'sub', id: 1, prefix: channelPrefix(lose), bits: 72 })).toEqual({ t: 'subok', id: 1 });
    expect(await d.request({ t: 'sub', id: 2, prefix: channelPrefix(keep), bits: 72 })).toEqual({ t: 'subok', id: 2 });
    const admin = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    await admin.request({ t: 'pub', id: 1, obj: textObject(lose, f.admin, 1, 'before').bytes });
    await d.until(() => d.received.some((fr) => fr.t === 'obj'));

    expect(await f.server.node.directory.removeChannelMember(lose.id, dave.userId)).toBe(true);
    const stale = '0000000000000000';
    d.send({ t: 'hb', status: 'active', watch: [{ prefix: channelPrefix(lose), bits: 72, digest: stale }, { prefix: channelPrefix(keep), bits: 72, digest: stale }] });
    const vec = await d.next((fr) => fr.t === 'vec');
    expect(vec).toMatchObject({ prefix: channelPrefix(keep), bits: 72 });
    // one err from the removal itself (live subscriptions end at once), one answering the heartbeat entry
    const errs = d.received.filter((fr) => fr.t === 'err');
    expect(errs).toHaveLength(2);
    for (const err of errs) expect(err).toEqual({ t: 'err', kind: 'Forbidden', msg: expect.any(String), prefix: channelPrefix(lose), bits: 72 });

    // no more live objects from the lost channel; the kept one still delivers
    await admin.request({ t: 'pub', id: 2, obj: textObject(lose, f.admin, 2, 'after').bytes });
    await admin.request({ t: 'pub', id: 3, obj: textObject(keep, f.admin, 1, 'kept').bytes });
    await d.until(() => d.received.filter((fr) => fr.t === 'obj').length >= 2);
    await d.request({ t: 'hist', id: 9, channel: channelPrefix(keep), limit: 1 });
    const live = d.received.filter((fr) => fr.t === 'obj').map((fr) => (fr.t === 'obj' ? decodeObject(fr.obj).payload : new Uint8Array()));
    expect(live.map((p) => JSON.parse(new TextDecoder().decode(p)).text)).toEqual(['before', 'kept']);

    // a sync names the prefix too (and keeps its id)
    expect(await d.request({ t: 'sync', id: 7, prefix: channelPrefix(lose), bits: 72, since: [] })).toEqual({
      t: 'err',
      id: 7,
      kind: 'Forbidden',
      msg: expect.any(String),
      prefix: channelPrefix(lose),
      bits: 72,
    });
    expect(await f.server.node.directory.removeChannelMember(lose.id, dave.userId)).toBe(false);
    d.close();
    admin.close();
  });
});
