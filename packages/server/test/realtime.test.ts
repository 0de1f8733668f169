import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionVector, decodeObject, nameDevice, nameSeq, toHex, type Channel, type Session } from '@michat/protocol';
import { RawClient, channelPrefix, textObject } from '@michat/testkit';
import { startFixture, teamWithChannel, type Fixture } from './fixture.ts';

describe('threads, heartbeat sync, presence and typing', () => {
  let f: Fixture;
  let bob: Session;
  let channel: Channel;
  beforeAll(async () => {
    f = await startFixture();
    bob = await f.user('bob');
    ({ channel } = await teamWithChannel(f, [bob]));
  });
  afterAll(() => f.close());

  it('thread history lists the replies to a root, newest first, and channel history has everything', async () => {
    const c = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const t0 = Date.now();
    const root = textObject(channel, f.admin, 1, 'root', { created: t0 });
    const replies = [2, 3, 4].map((s) => textObject(channel, f.admin, s, `reply ${s}`, { created: t0 + s, threadRoot: root.name }));
    const other = textObject(channel, f.admin, 5, 'unrelated', { created: t0 + 10 });
    for (const [i, o] of [root, ...replies, other].entries()) await c.request({ t: 'pub', id: i + 1, obj: o.bytes });
    const thread = await c.request({ t: 'hist', id: 10, channel: channelPrefix(channel), thread: root.name, limit: 10 });
    if (thread.t !== 'page') throw new Error(JSON.stringify(thread));
    expect(thread.objs.map((b) => toHex(decodeObject(b).name))).toEqual(replies.map((r) => toHex(r.name)).reverse());
    const all = await c.request({ t: 'hist', id: 11, channel: channelPrefix(channel), limit: 2 });
    if (all.t !== 'page') throw new Error(JSON.stringify(all));
    expect(all.objs.map((b) => toHex(decodeObject(b).name))).toEqual([toHex(other.name), toHex(replies[2]!.name)]);
    expect(all.more).toBe(true);
    // paging towards newer from the oldest
    const newer = await c.request({ t: 'hist', id: 12, channel: channelPrefix(channel), after: all.next!, limit: 10 });
    expect(newer.t === 'page' && newer.objs.map((b) => toHex(decodeObject(b).name))).toEqual([toHex(other.name)]);
    c.close();
  });

  it('a heartbeat answers with the server vector only when the reader lacks something, and sync heals it', async () => {
    const c = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    const prefix = channelPrefix(channel);
    const room = await f.server.node.rooms.get({ name: prefix, bits: 72 });
    const full = room.held;
    // a reader holding everything gets no answer
    c.send({ t: 'hb', status: 'active', watch: [{ prefix, bits: 72, digest: full.digest() }] });
    // a reader missing the last message gets the vector
    const partial = VersionVector.from(full.entries().map(([d, s]) => [d, d === f.admin.deviceId ? s - 1 : s]));
    c.send({ t: 'hb', status: 'active', watch: [{ prefix, bits: 72, digest: partial.digest() }] });
    const vec = await c.next((fr) => fr.t === 'vec');
    await c.request({ t: 'hist', id: 99, channel: prefix, limit: 1 }); // both heartbeats handled by now
    expect(c.received.filter((fr) => fr.t === 'vec')).toHaveLength(1);
    expect(vec.t === 'vec' && vec.vector).toEqual(full.entries());
    const healed = await c.request({ t: 'sync', id: 5, prefix, bits: 72, since: partial.entries() });
    expect(healed).toEqual({ t: 'subok', id: 5 });
    const objs = c.received.flatMap((fr) => (fr.t === 'objs' && fr.id === 5 ? fr.objs : []));
    expect(objs.map((b) => [nameDevice(decodeObject(b).name), nameSeq(decodeObject(b).name)])).toEqual([[f.admin.deviceId, full.contiguous(f.admin.deviceId)]]);
    c.close();
  });

  it('presence comes with a heartbeat and goes with leave or disconnect; typing reaches others only', async () => {
    const prefix = channelPrefix(channel);
    const watcher = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    await watcher.request({ t: 'sub', id: 1, prefix, bits: 72 });
    const b = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    await b.request({ t: 'sub', id: 1, prefix, bits: 72 });
    b.send({ t: 'hb', status: 'active', watch: [{ prefix, bits: 72, digest: '0000000000000000' }] });
    expect(await watcher.next((fr) => fr.t === 'presence' && !!fr.change)).toMatchObject({ change: { user: 'bob', status: 'active' } });
    b.send({ t: 'typing', channel: prefix });
    expect(await watcher.next((fr) => fr.t === 'typing')).toMatchObject({ user: 'bob', device: bob.deviceId });
    b.send({ t: 'hb', status: 'away', watch: [{ prefix, bits: 72, digest: '0000000000000000' }] });
    expect(await watcher.next((fr) => fr.t === 'presence' && !!fr.change)).toMatchObject({ change: { user: 'bob', status: 'away' } });
    b.send({ t: 'leave', channel: prefix });
    expect(await watcher.next((fr) => fr.t === 'presence' && !!fr.change)).toMatchObject({ change: { user: 'bob', status: 'gone' } });
    b.send({ t: 'hb', status: 'active', watch: [{ prefix, bits: 72, digest: '0000000000000000' }] });
    await watcher.next((fr) => fr.t === 'presence' && fr.change?.status === 'active');
    b.close();
    expect(await watcher.next((fr) => fr.t === 'presence' && !!fr.change)).toMatchObject({ change: { user: 'bob', status: 'gone' } });
    expect(b.received.filter((fr) => fr.t === 'typing')).toHaveLength(0);
    watcher.close();
  });
});
