import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '@michat/protocol';
import { channelPrefix, startFixture, teamWithChannel, textObject, type Fixture } from './fixture.ts';
import { RawClient } from '@michat/testkit';

describe('names are immutable', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ persistent: true });
  });
  afterAll(() => f.close());

  it('acks a repeat with the same bytes as a duplicate, refuses other bytes with Conflict, keeps the original', async () => {
    const { channel } = await teamWithChannel(f);
    const c = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const original = textObject(channel, f.admin, 1, 'original');
    expect(await c.request({ t: 'pub', id: 1, obj: original.bytes })).toMatchObject({ t: 'ack', dup: false });
    expect(await c.request({ t: 'pub', id: 2, obj: original.bytes })).toMatchObject({ t: 'ack', dup: true });
    const forged = textObject(channel, f.admin, 1, 'rewritten');
    expect(await c.request({ t: 'pub', id: 3, obj: forged.bytes })).toMatchObject({ t: 'err', id: 3, kind: 'Conflict' });
    const page = await c.request({ t: 'hist', id: 4, channel: channelPrefix(channel), limit: 10 });
    if (page.t !== 'page') throw new Error(JSON.stringify(page));
    expect(page.objs).toHaveLength(1);
    expect(bytesEqual(page.objs[0]!, original.bytes)).toBe(true);
    c.close();
  });

  it('answers a concurrent duplicate pair once as new and once as a duplicate', async () => {
    const { channel } = await teamWithChannel(f, [], 'pairs');
    const c = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const original = textObject(channel, f.admin, 5, 'kept');
    expect(await c.request({ t: 'pub', id: 1, obj: original.bytes })).toMatchObject({ t: 'ack' });
    c.close();
    // a concurrent duplicate pair: both answered, one stored
    const d = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const twin = textObject(channel, f.admin, 6, 'twin');
    const [a, b] = await Promise.all([d.request({ t: 'pub', id: 2, obj: twin.bytes }), d.request({ t: 'pub', id: 3, obj: twin.bytes })]);
    expect([a, b].map((x) => (x.t === 'ack' ? x.dup : 'err')).sort()).toEqual([false, true]);
    d.close();
  });
});
