import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionVector, decodeObject, nameDevice, nameSeq, toHex, type ServerFrame } from '@michat/protocol';
import { channelPrefix, startFixture, teamWithChannel, textObject, type Fixture } from './fixture.ts';
import { RawClient } from '@michat/testkit';

function objsFor(frames: ServerFrame[], id: number): Uint8Array[] {
  return frames.flatMap((fr) => (fr.t === 'objs' && fr.id === id ? fr.objs : []));
}

describe('catch-up with a version vector', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ persistent: true, config: { connection: { ratePerSec: 100_000, burst: 100_000 } } });
  });
  afterAll(() => f.close());

  it('a subscriber that drops while 1,000 messages are published gets exactly the missing ones on reconnect', async () => {
    const bob = await f.user('bob');
    const { channel } = await teamWithChannel(f, [bob]);
    const prefix = channelPrefix(channel);
    const pub = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    // bob holds the first 50
    const held = new VersionVector();
    const sub1 = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    await sub1.request({ t: 'sub', id: 1, prefix, bits: 72 });
    const first = Array.from({ length: 50 }, (_, i) => textObject(channel, f.admin, i + 1, `m${i + 1}`));
    await Promise.all(first.map((o, i) => pub.request({ t: 'pub', id: i + 1, obj: o.bytes })));
    await sub1.until(() => sub1.received.filter((fr) => fr.t === 'obj').length === 50);
    for (const fr of sub1.received) if (fr.t === 'obj') held.add(nameDevice(decodeObject(fr.obj).name), nameSeq(decodeObject(fr.obj).name));
    expect(held.contiguous(f.admin.deviceId)).toBe(50);
    sub1.close();
    await sub1.closed;

    // 1,000 published while bob is away (two devices: admin and carol)
    const carol = await f.user('carol');
    await f.api('POST', `/api/teams/${channel.teamId}/members`, { username: 'carol' }, f.admin.accessToken);
    await f.api('POST', `/api/channels/${channel.id}/join`, undefined, carol.accessToken);
    const pub2 = await RawClient.connect(f.server.wsUrl, carol.accessToken);
    const missed = [
      ...Array.from({ length: 600 }, (_, i) => ({ c: pub, o: textObject(channel, f.admin, 51 + i, `a${i}`) })),
      ...Array.from({ length: 400 }, (_, i) => ({ c: pub2, o: textObject(channel, carol, 1 + i, `c${i}`) })),
    ];
    const acks = await Promise.all(missed.map(({ c, o }, i) => c.request({ t: 'pub', id: 1000 + i, obj: o.bytes })));
    expect(acks.every((a) => a.t === 'ack' && !a.dup)).toBe(true);

    const sub2 = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    const ok = await sub2.request({ t: 'sub', id: 2, prefix, bits: 72, since: held.entries() }, 30_000);
    expect(ok).toEqual({ t: 'subok', id: 2 });
    const got = objsFor(sub2.received, 2).map((b) => toHex(decodeObject(b).name));
    const expected = missed.map(({ o }) => toHex(o.name));
    expect(got).toHaveLength(1000);
    expect(new Set(got).size).toBe(1000);
    expect(new Set(got)).toEqual(new Set(expected));
    for (const c of [pub, pub2, sub2]) c.close();
  });

  it('answers with an explicit gap past the catch-up bound, and history pages the rest', async () => {
    const { channel } = await teamWithChannel(f, [], 'gap');
    const c = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const objs = Array.from({ length: 120 }, (_, i) => textObject(channel, f.admin, i + 1, `g${i}`, { created: Date.now() - 1000 + i }));
    await Promise.all(objs.map((o, i) => c.request({ t: 'pub', id: i + 1, obj: o.bytes })));
    // the bound is large in production (10,000); a sync over it answers with gap and no objects
    const room = await f.server.node.rooms.get({ name: channelPrefix(channel), bits: 72 });
    const sent: Uint8Array[][] = [];
    const r = await room.catchUp({ name: channelPrefix(channel), bits: 72 }, new VersionVector(), (b) => sent.push(b), 100);
    expect(r).toEqual({ missing: 120 });
    expect(sent).toHaveLength(0);
    // paging history newest first covers all 120 exactly once
    const names: string[] = [];
    let before: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await c.request({ t: 'hist', id: 500 + i, channel: channelPrefix(channel), limit: 50, ...(before ? { before } : {}) });
      if (page.t !== 'page') throw new Error(JSON.stringify(page));
      names.push(...page.objs.map((b) => toHex(decodeObject(b).name)));
      if (!page.more) break;
      before = page.next;
    }
    expect(names).toEqual(objs.map((o) => toHex(o.name)).reverse());
    c.close();
  });
});
