import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeObject, nameSeq, type MichatError, type MichatObject, type ServerFrame } from '@michat/protocol';
import type { SeqStore } from '../src/index.ts';
import { eventually, sleep, startClientFixture, type ClientFixture } from './fixture.ts';

/** Hands out 1, 2, 3, 5, 6, …: seq 4 is taken and never published (as if the app crashed with it). */
function seqStoreSkipping(skip: number): SeqStore {
  let last = 0;
  return {
    async next() {
      last += last + 1 === skip ? 2 : 1;
      return last;
    },
  };
}

/** Seqs of the objects in `objs` frames (catch-up and sync answers). */
function caughtUp(frames: ServerFrame[]): number[] {
  return frames.flatMap((fr) => (fr.t === 'objs' ? fr.objs.map((b) => nameSeq(decodeObject(b).name)) : []));
}

describe('a permanent hole in a device stream', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture({ proxied: true });
  });
  afterAll(async () => {
    await f.close();
  });

  it('costs nothing: heals fetch only what was lost, heartbeats go quiet, a reconnect fetches nothing', async () => {
    const alice = await f.user('alice', { seqStore: seqStoreSkipping(4) });
    let dropLive = false;
    const seen: ServerFrame[] = [];
    const bob = await f.user(
      'bob',
      {
        heartbeat: { minMs: 50, maxMs: 100 },
        backoff: { initialMs: 50, maxMs: 400 },
        debug: {
          dropInbound: (frame) => {
            seen.push(frame);
            return dropLive && frame.t === 'obj';
          },
        },
      },
      f.proxy.url,
    );
    const channel = await f.channel([alice, bob]);
    for (let i = 0; i < 30; i++) await alice.sendText(channel, `m${i}`); // seqs 1-3, 5-31
    const device = alice.session.deviceId;

    const got: MichatObject[] = [];
    const sub = bob.subscribe(channel, (o) => got.push(o));
    await sub.ready;
    expect(got).toHaveLength(30);
    expect(sub.entries()).toEqual([[device, 3, [[5, 31]]]]);
    await sleep(300); // a few heartbeats: the digests agree, nothing is asked or sent
    expect(seen.filter((fr) => fr.t === 'vec' || fr.t === 'err')).toHaveLength(0);
    expect(caughtUp(seen)).toHaveLength(30); // the first catch-up only

    // Live deliveries lost: the heal brings exactly those three, not all that lies above the hole.
    dropLive = true;
    for (let i = 0; i < 3; i++) await alice.sendText(channel, `lost ${i}`); // 32-34
    await eventually(() => got.length === 33, 3_000, 'the heal');
    dropLive = false;
    expect(caughtUp(seen).slice(30)).toEqual([32, 33, 34]);
    expect(sub.entries()).toEqual([[device, 3, [[5, 34]]]]);
    const healed = seen.length;
    await sleep(150); // a heartbeat sent before the heal landed may still draw one vec (but no sync)
    const settled = seen.length;
    await sleep(500); // several more heartbeats
    expect(seen.slice(healed).filter((fr) => fr.t === 'objs')).toHaveLength(0);
    expect(seen.slice(settled).filter((fr) => fr.t === 'vec')).toHaveLength(0);

    // A new socket subscribes again with the whole vector (ranges included): nothing comes twice.
    await f.proxy.cut();
    await eventually(() => bob.state === 'connecting', 3_000, 'bob notices the drop');
    const before = seen.length;
    await f.proxy.restore();
    await eventually(() => seen.slice(before).some((fr) => fr.t === 'subok'), 5_000, 'bob reconnects and subscribes again');
    await alice.sendText(channel, 'after'); // 35
    await eventually(() => got.length === 34, 3_000, 'live delivery on the new socket');
    await sleep(300);
    expect(caughtUp(seen.slice(before))).toEqual([]);
    expect(got.map((o) => nameSeq(o.name)).sort((a, b) => a - b)).toEqual([1, 2, 3, ...Array.from({ length: 31 }, (_, i) => i + 5)]);
  });
});

describe('losing access to a channel', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  it('the heartbeat error names the subscription: it ends with onError, the others go on', async () => {
    const seen: ServerFrame[] = [];
    const carol = await f.user('carol', { heartbeat: { minMs: 50, maxMs: 100 }, debug: { dropInbound: (fr) => (seen.push(fr), false) } });
    const lost = await f.channel([carol]);
    const kept = await f.channel([carol]);
    const subErrors: MichatError[] = [];
    const clientErrors: Error[] = [];
    carol.on('error', (e) => clientErrors.push(e));
    const inLost: MichatObject[] = [];
    const inKept: MichatObject[] = [];
    const a = carol.subscribe(lost, (o) => inLost.push(o), { onError: (e) => subErrors.push(e) });
    const b = carol.subscribe(kept, (o) => inKept.push(o));
    await Promise.all([a.ready, b.ready]);

    await f.server.node.directory.removeChannelMember(lost.id, carol.session.userId);
    await eventually(() => subErrors.length === 1, 3_000, 'the subscription hears of it');
    expect(subErrors[0]!.kind).toBe('Forbidden');
    expect(subErrors[0]!.message).toContain(lost.key);
    expect(clientErrors.some((e) => (e as MichatError).kind === 'Forbidden')).toBe(true);
    await sleep(150); // a heartbeat already on its way may draw one more err
    const settled = seen.length;
    await sleep(400); // more heartbeats: the ended subscription is no longer watched
    expect(seen.slice(settled).filter((fr) => fr.t === 'err')).toHaveLength(0);
    expect(subErrors).toHaveLength(1);

    await f.admin.sendText(lost, 'not for carol');
    await f.admin.sendText(kept, 'for carol');
    await eventually(() => inKept.length === 1, 3_000, 'the other subscription still delivers');
    await sleep(100);
    expect(inLost).toHaveLength(0);
  });
});

describe('liveness', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture({ proxied: true });
  });
  afterAll(async () => {
    await f.close();
  });

  it('a quiet socket is pinged and kept', async () => {
    const seen: ServerFrame[] = [];
    const dan = await f.user('dan', { heartbeat: { minMs: 50, maxMs: 100 }, pongTimeoutMs: 300, debug: { dropInbound: (fr) => (seen.push(fr), false) } });
    await dan.connect();
    const states: string[] = [];
    dan.on('state', (s) => states.push(s));
    await sleep(800); // heartbeats with nothing to watch get no answer: only pongs come
    expect(seen.filter((fr) => fr.t === 'pong').length).toBeGreaterThanOrEqual(2);
    expect(seen.filter((fr) => fr.t !== 'welcome').every((fr) => fr.t === 'pong')).toBe(true);
    expect(states).toEqual([]);
    expect(dan.state).toBe('open');
  });

  it('a half-open socket (no answer to ping) is given up and replaced; delivery resumes', async () => {
    const erin = await f.user('erin', { heartbeat: { minMs: 50, maxMs: 100 }, pongTimeoutMs: 300, backoff: { initialMs: 50, maxMs: 400 } }, f.proxy.url);
    const channel = await f.channel([erin]);
    const got: MichatObject[] = [];
    await erin.subscribe(channel, (o) => got.push(o)).ready;
    const states: string[] = [];
    const errors: Error[] = [];
    erin.on('state', (s) => states.push(s));
    erin.on('error', (e) => errors.push(e));
    f.proxy.stall(); // nothing arrives, nothing closes
    await eventually(() => states.includes('connecting'), 3_000, 'erin gives the socket up');
    expect(errors.some((e) => e.message.includes('no answer to ping'))).toBe(true);
    await eventually(() => erin.state === 'open', 5_000, 'erin reconnects');
    await f.admin.sendText(channel, 'still here');
    await eventually(() => got.length === 1, 3_000, 'delivery on the new socket');
  });
});
