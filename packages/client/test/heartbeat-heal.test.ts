import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameToText, type MichatObject, type ServerFrame } from '@michat/protocol';
import { eventually, sleep, startClientFixture, type ClientFixture } from './fixture.ts';

describe('heartbeats heal missed live deliveries', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  it('a subscriber that lost live objects gets them through hb → vec → sync, once each', async () => {
    let dropLive = false;
    const seen: ServerFrame['t'][] = [];
    const bob = await f.user('bob', {
      heartbeat: { minMs: 100, maxMs: 200 },
      debug: {
        dropInbound: (frame) => {
          seen.push(frame.t);
          return dropLive && frame.t === 'obj';
        },
      },
    });
    const alice = await f.user('alice');
    const channel = await f.channel([alice, bob]);
    const got: MichatObject[] = [];
    const sub = bob.subscribe(channel, (o) => got.push(o));
    await sub.ready;

    dropLive = true; // as if the server had dropped them for a slow consumer
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await alice.sendText(channel, `lost ${i}`));
    await eventually(() => got.length === 3, 3_000, 'the heal');
    await sleep(400); // more heartbeats: digests now agree, nothing more comes
    expect(got.map((o) => nameToText(o.name))).toEqual(sent.map((r) => nameToText(r.object.name)));
    expect(seen.filter((t) => t === 'obj').length).toBeGreaterThanOrEqual(3); // they did come live, and were dropped
    expect(seen).toContain('vec');
    expect(sub.entries()).toEqual([[alice.session.deviceId, 3]]);
  });

  it('an expired object the server still counts is asked for once, then heartbeats go quiet', async () => {
    const alice = await f.user('erin');
    const seen: ServerFrame['t'][] = [];
    const bob = await f.user('fred', { heartbeat: { minMs: 100, maxMs: 150 }, debug: { dropInbound: (frame) => (seen.push(frame.t), false) } });
    const channel = await f.channel([alice, bob]);
    await alice.sendText(channel, 'gone soon', { expires: Date.now() + 300 });
    const kept = await alice.sendText(channel, 'kept');
    await sleep(400); // expired: the server's vector still holds its seq, but it serves it to nobody
    const got: MichatObject[] = [];
    const sub = bob.subscribe(channel, (o) => got.push(o));
    await sub.ready;
    await sleep(1_500); // ~10 heartbeats
    expect(got.map((o) => nameToText(o.name))).toEqual([nameToText(kept.object.name)]);
    const vecs = seen.filter((t) => t === 'vec').length;
    expect(vecs).toBeGreaterThanOrEqual(1);
    expect(vecs).toBeLessThanOrEqual(3); // asked, found unserved, adopted: not once per heartbeat
    const before = seen.length;
    await sleep(600);
    expect(seen.slice(before).filter((t) => t === 'vec')).toEqual([]);
  });

  it('two subscriptions to one channel on one connection both keep live delivery when one ends', async () => {
    const carol = await f.user('carol', { heartbeat: { minMs: 5_000, maxMs: 6_000 } }); // no healing within the test
    const dave = await f.user('dave');
    const channel = await f.channel([carol, dave]);
    const first: MichatObject[] = [];
    const second: MichatObject[] = [];
    const a = carol.subscribe(channel, (o) => first.push(o));
    const b = carol.subscribe(channel, (o) => second.push(o));
    await Promise.all([a.ready, b.ready]);
    a();
    await sleep(100);
    await dave.sendText(channel, 'still there?');
    await eventually(() => second.length === 1, 2_000, 'live delivery to the remaining subscription');
    expect(first).toHaveLength(0);
  });
});
