import { readFile, readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MichatError, channelFromKey, encodeObject, makeName, nameFields, type ClientFrame } from '@michat/protocol';
import { backoffDelay } from '../src/backoff.ts';
import { Liveness } from '../src/liveness.ts';
import { decodePayload, encodeTextPayload } from '../src/index.ts';
import { SubscriptionState } from '../src/subscription.ts';
import { Subscriptions } from '../src/subscriptions.ts';

describe('payload codec', () => {
  it('round-trips text, including characters outside ASCII', () => {
    expect(decodePayload(encodeTextPayload('héllo 👋 "quoted"'))).toEqual({ type: 'text', text: 'héllo 👋 "quoted"' });
  });

  it('reads anything else as unknown instead of failing', () => {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    expect(decodePayload(utf8('{"type":"image","url":"x"}'))).toEqual({ type: 'unknown' });
    expect(decodePayload(utf8('{"type":"text","text":3}'))).toEqual({ type: 'unknown' });
    expect(decodePayload(utf8('not json'))).toEqual({ type: 'unknown' });
    expect(decodePayload(new Uint8Array([0xff, 0xfe]))).toEqual({ type: 'unknown' });
  });
});

describe('reconnect backoff', () => {
  it('grows from 250 ms, is capped at 10 s, and keeps half of each delay random', () => {
    expect(backoffDelay(0, {}, () => 0)).toBe(125);
    expect(backoffDelay(0, {}, () => 1)).toBe(250);
    expect(backoffDelay(3, {}, () => 1)).toBe(2_000);
    expect(backoffDelay(10, {}, () => 1)).toBe(10_000);
    expect(backoffDelay(1_000, {}, () => 0)).toBe(5_000);
  });
});

describe('a subscription after a gap', () => {
  const channel = channelFromKey('0000010000010000a1')!;
  const object = (device: number, seq: number) =>
    encodeObject({ name: makeName({ ...nameFields(channel.name), device, seq }), created: Date.now(), keyEpoch: 0 }, encodeTextPayload('x'));

  it('reports the gap, then adopts the server vector instead of asking for the same catch-up again', () => {
    const sent: ClientFrame[] = [];
    const subs = new Subscriptions({ send: (f) => (sent.push(f), true), nextId: (() => { let id = 0; return () => ++id; })(), onError: (e) => { throw e; } });
    const gaps: number[] = [];
    const got: number[] = [];
    const state = new SubscriptionState(channel, (o) => got.push(o.name[15]!), { onGap: (n) => gaps.push(n) }, (e) => { throw e; });
    subs.add(state);
    expect(sent[0]).toMatchObject({ t: 'sub', id: 1 });
    subs.dispatch({ t: 'subok', id: 1, gap: { missing: 20_000 } });
    expect(gaps).toEqual([20_000]);
    subs.live({ t: 'obj', obj: object(7, 20_001).bytes }); // live delivery goes on meanwhile
    subs.vec({ t: 'vec', prefix: channel.name, bits: 72, vector: [[7, 20_000]] });
    expect(sent.filter((f) => f.t === 'sync')).toHaveLength(0);
    expect(state.vector.entries()).toEqual([[7, 20_001]]);
    // An ordinary lag afterwards is fetched with sync.
    subs.vec({ t: 'vec', prefix: channel.name, bits: 72, vector: [[7, 20_005]] });
    expect(sent.at(-1)).toMatchObject({ t: 'sync', since: [[7, 20_001]] });
    expect(got).toHaveLength(1);
  });

  it('hands an object to the handler once however often it arrives', () => {
    const subs = new Subscriptions({ send: () => true, nextId: () => 1, onError: (e) => { throw e; } });
    let count = 0;
    subs.add(new SubscriptionState(channel, () => count++, {}, (e) => { throw e; }));
    const o = object(3, 1);
    subs.dispatch({ t: 'objs', id: 1, objs: [o.bytes, o.bytes] });
    subs.live({ t: 'obj', obj: o.bytes });
    subs.own(o);
    expect(count).toBe(1);
  });
});

describe('subscriptions and vectors with holes', () => {
  const channel = channelFromKey('0000010000010000a2')!;
  const object = (device: number, seq: number) =>
    encodeObject({ name: makeName({ ...nameFields(channel.name), device, seq }), created: Date.now(), keyEpoch: 0 }, encodeTextPayload('x'));

  function setup(options: { onError?: (e: MichatError) => void } = {}) {
    const sent: ClientFrame[] = [];
    const errors: Error[] = [];
    let id = 0;
    const subs = new Subscriptions({ send: (f) => (sent.push(f), true), nextId: () => ++id, onError: (e) => errors.push(e) });
    const state = new SubscriptionState(channel, () => undefined, options, (e) => { throw e; });
    subs.add(state);
    subs.dispatch({ t: 'subok', id: 1 });
    return { subs, state, sent, errors };
  }

  it('a hole the server has too is no lack; a real lack is synced with the whole vector', () => {
    const { subs, state, sent } = setup();
    for (const seq of [1, 2, 3, 5, 6, 8, 9, 10]) subs.live({ t: 'obj', obj: object(7, seq).bytes });
    expect(state.vector.entries()).toEqual([[7, 3, [[5, 6], [8, 10]]]]);
    subs.vec({ t: 'vec', prefix: channel.name, bits: 72, vector: [[7, 3, [[5, 6], [8, 10]]]] });
    expect(sent.filter((f) => f.t === 'sync')).toHaveLength(0);
    subs.vec({ t: 'vec', prefix: channel.name, bits: 72, vector: [[7, 3, [[5, 10]]]] }); // 7 was stored after all
    expect(sent.at(-1)).toEqual({ t: 'sync', id: 2, prefix: channel.name, bits: 72, since: [[7, 3, [[5, 6], [8, 10]]]] });
  });

  it('an err naming the prefix ends the subscription on Forbidden, and only reports other kinds', () => {
    const ended: MichatError[] = [];
    const { subs, state, errors } = setup({ onError: (e) => ended.push(e) });
    expect(subs.watchList()).toHaveLength(1);
    const other = channelFromKey('0000010000010000a3')!;
    expect(subs.dispatch({ t: 'err', kind: 'Forbidden', msg: 'no', prefix: other.name, bits: 72 })).toBe(false);
    expect(subs.dispatch({ t: 'err', kind: 'Forbidden', msg: 'no', prefix: channel.name, bits: 80 })).toBe(false); // another prefix length
    expect(subs.dispatch({ t: 'err', kind: 'Unavailable', msg: 'later', prefix: channel.name, bits: 72 })).toBe(true);
    expect(errors.map((e) => (e as MichatError).kind)).toEqual(['Unavailable']);
    expect(state.closed).toBe(false);
    expect(subs.dispatch({ t: 'err', kind: 'Forbidden', msg: 'no', prefix: channel.name, bits: 72 })).toBe(true);
    expect(state.closed).toBe(true);
    expect(ended.map((e) => e.kind)).toEqual(['Forbidden']);
    expect(ended[0]!.message).toContain('0000010000010000a2');
    expect(subs.watchList()).toHaveLength(0);
  });

  it('a sync refused with NotFound ends the subscription too', () => {
    const ended: MichatError[] = [];
    const { subs, state, sent } = setup({ onError: (e) => ended.push(e) });
    subs.vec({ t: 'vec', prefix: channel.name, bits: 72, vector: [[7, 1]] });
    const sync = sent.at(-1)!;
    expect(sync.t).toBe('sync');
    subs.dispatch({ t: 'err', id: (sync as { id: number }).id, kind: 'NotFound', msg: 'gone', prefix: channel.name, bits: 72 });
    expect(state.closed).toBe(true);
    expect(ended.map((e) => e.kind)).toEqual(['NotFound']);
  });
});

describe('liveness', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup() {
    vi.useFakeTimers();
    const events: string[] = [];
    const live = new Liveness({ localNow: () => Date.now(), ping: () => (events.push('ping'), true), dead: () => events.push('dead') });
    live.start(1_000, 300);
    return { live, events };
  }

  it('pings after the idle time, and gives up when nothing answers', () => {
    const { events } = setup();
    vi.advanceTimersByTime(999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['ping']);
    vi.advanceTimersByTime(300);
    expect(events).toEqual(['ping', 'dead']);
    vi.advanceTimersByTime(10_000);
    expect(events).toEqual(['ping', 'dead']); // stopped
  });

  it('any frame answers a ping; frames keep it from pinging at all', () => {
    const { live, events } = setup();
    vi.advanceTimersByTime(1_000);
    expect(events).toEqual(['ping']);
    live.heard(); // the pong
    vi.advanceTimersByTime(999);
    expect(events).toEqual(['ping']);
    vi.advanceTimersByTime(1); // quiet for an idle period again
    expect(events).toEqual(['ping', 'ping']);
    vi.advanceTimersByTime(200);
    live.heard(); // not a pong, but the socket is alive
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(500);
      live.heard();
    }
    expect(events).toEqual(['ping', 'ping']);
    live.stop();
    vi.advanceTimersByTime(10_000);
    expect(events).toEqual(['ping', 'ping']);
  });
});

describe('the SDK source', () => {
  it('imports nothing from node: outside src/node, which the browser entry never imports', async () => {
    const dir = new URL('../src/', import.meta.url);
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      const text = await readFile(new URL(file, dir), 'utf8');
      if (file.startsWith('node/')) continue;
      expect(text, file).not.toMatch(/from ['"]node:/);
      expect(text, file).not.toMatch(/from ['"][./]*node\//);
    }
  });
});
