import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { channelFromKey, encodeObject, makeName, nameFields, type ClientFrame } from '@michat/protocol';
import { backoffDelay } from '../src/backoff.ts';
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

describe('the SDK source', () => {
  it('imports nothing from node: (it runs in browsers)', async () => {
    const dir = new URL('../src/', import.meta.url);
    for (const file of await readdir(dir)) {
      const text = await readFile(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/from ['"]node:/);
    }
  });
});
