import { decode, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeServerFrame, encodeFrame, type Decoded } from './codec.ts';
import { ClientFrame, ServerFrame } from './frames/index.ts';
import { MAX_FRAME_BYTES } from './limits.ts';
import { makeName } from './name.ts';
import { encodeObject } from './object.ts';

const name = makeName({ kind: 1, org: 1, team: 2, channel: 3, device: 4, seq: 5 });
const channel = makeName({ kind: 1, org: 1, team: 2, channel: 3, device: 0, seq: 0 });
const obj = encodeObject({ name, created: 1_760_000_000_000, keyEpoch: 0 }, new TextEncoder().encode('hello')).bytes;
const cursor = '0199c82cc000' + '000004' + '00000005';

/** At least one frame of every client type; optional fields both present and absent. */
const CLIENT_SAMPLES: ClientFrame[] = [
  { t: 'hello', versions: [1], token: 'tok' },
  { t: 'hello', versions: [1, 2, 3], token: 'x'.repeat(4096), client: 'michat-web/1.0' },
  { t: 'auth', token: 'fresh' },
  { t: 'pub', id: 0, obj },
  { t: 'pub', id: 0xffffffff, obj: new Uint8Array() },
  { t: 'sub', id: 1, prefix: channel, bits: 72 },
  { t: 'sub', id: 2, prefix: channel, bits: 72, since: [[4, 5], [16777215, 4294967295]] },
  { t: 'unsub', id: 3, sub: 1 },
  { t: 'sync', id: 4, prefix: channel, bits: 72, since: [] },
  { t: 'sync', id: 4, prefix: channel, bits: 72, since: [[4, 3, [[5, 100], [102, 4294967295]]], [9, 0, [[1, 1]]]] },
  { t: 'hist', id: 5, channel, limit: 50 },
  { t: 'hist', id: 6, channel, thread: name, before: cursor, limit: 500 },
  { t: 'hist', id: 7, channel, after: cursor, limit: 1 },
  { t: 'hb', status: 'active', watch: [] },
  { t: 'hb', status: 'away', watch: [{ prefix: channel, bits: 72, digest: 'cbf29ce484222325' }] },
  { t: 'typing', channel },
  { t: 'leave', channel },
  { t: 'ping', id: 11 },
];

const SERVER_SAMPLES: ServerFrame[] = [
  {
    t: 'welcome',
    version: 1,
    serverTime: 1_760_000_000_123,
    user: 'ada',
    device: 4,
    limits: { maxFrameBytes: 131072, maxObjectBytes: 65536, ratePerSec: 20, burst: 40.5 },
    heartbeat: { minMs: 3500, maxMs: 7000 },
  },
  { t: 'bye', reason: 'draining', retryAfterMs: 1000 },
  { t: 'bye', reason: 'revoked' },
  { t: 'ack', id: 1, name, dup: false },
  { t: 'objs', id: 2, objs: [obj, obj] },
  { t: 'subok', id: 2 },
  { t: 'subok', id: 3, gap: { missing: 12345 } },
  { t: 'obj', obj },
  { t: 'page', id: 4, objs: [obj], more: true, next: cursor },
  { t: 'page', id: 5, objs: [], more: false },
  { t: 'vec', prefix: channel, bits: 72, vector: [[4, 5]] },
  { t: 'vec', prefix: channel, bits: 80, vector: [[4, 3, [[5, 300]]], [7, 0, [[2, 9], [11, 11]]]] },
  { t: 'pong', id: 11, serverTime: 1_760_000_000_000 },
  { t: 'presence', channel, members: [{ user: 'ada', device: 4, status: 'active' }] },
  { t: 'presence', channel, change: { user: 'bob', device: 9, status: 'gone' } },
  { t: 'typing', channel, user: 'ada', device: 4 },
  { t: 'err', kind: 'RateLimited', msg: 'slow down', retryAfterMs: 250 },
  { t: 'err', id: 9, kind: 'ClockSkew', msg: 'created is 3 minutes ahead', serverTime: 1_760_000_000_000 },
  { t: 'err', kind: 'Forbidden', msg: 'you are not a member of this channel', prefix: channel, bits: 72 },
];

function expectBad(r: Decoded<unknown>, kinds: readonly string[] = ['BadFrame', 'TooLarge']): void {
  expect(r.ok).toBe(false);
  if (!r.ok) expect(kinds).toContain(r.error.kind);
}

describe('codec round trips', () => {
  it('covers every frame type', () => {
    const clientTypes = ClientFrame.options.map((o) => o.shape.t.value);
    const serverTypes = ServerFrame.options.map((o) => o.shape.t.value);
    expect(new Set(CLIENT_SAMPLES.map((f) => f.t))).toEqual(new Set(clientTypes));
    expect(new Set(SERVER_SAMPLES.map((f) => f.t))).toEqual(new Set(serverTypes));
  });

  it.each(CLIENT_SAMPLES.map((f) => [f.t, f] as const))('client %s', (_t, frame) => {
    const bytes = encodeFrame(frame);
    expect(bytes[0]! & 0xf0).toBe(0x80); // a fixmap: one MessagePack map
    const r = decodeClientFrame(bytes);
    expect(r).toEqual({ ok: true, frame });
  });

  it.each(SERVER_SAMPLES.map((f) => [f.t, f] as const))('server %s', (_t, frame) => {
    const r = decodeServerFrame(encodeFrame(frame));
    expect(r).toEqual({ ok: true, frame });
  });

  it('client frames are not server frames and vice versa (where the type differs)', () => {
    expectBad(decodeServerFrame(encodeFrame({ t: 'pub', id: 1, obj })));
    expectBad(decodeClientFrame(encodeFrame({ t: 'ack', id: 1, name, dup: false })));
  });

  it('undefined optional fields are left out of the encoding', () => {
    const withUndef = { t: 'subok', id: 2, gap: undefined } as unknown as ServerFrame;
    expect(encodeFrame(withUndef)).toEqual(encodeFrame({ t: 'subok', id: 2 }));
  });

  it('unknown extra fields are ignored (stripped)', () => {
    const r = decodeClientFrame(encode({ t: 'typing', channel, future: 1 }));
    expect(r).toEqual({ ok: true, frame: { t: 'typing', channel } });
  });
});

describe('codec refuses bad input without throwing', () => {
  const validFrames = CLIENT_SAMPLES.map((f) => encodeFrame(f));

  it('random bytes give ok:false with BadFrame/TooLarge', () => {
    let bad = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        for (const decode of [decodeClientFrame, decodeServerFrame]) {
          const r = decode(bytes);
          if (r.ok) {
            expect(ClientFrame.safeParse(r.frame).success || ServerFrame.safeParse(r.frame).success).toBe(true);
          } else {
            bad++;
            expect(r.error.kind).toBe('BadFrame');
            expect(typeof r.error.message).toBe('string');
          }
        }
      }),
      { numRuns: 5000 },
    );
    expect(bad).toBeGreaterThan(9900);
  });

  it('random MessagePack maps with frame-like keys give ok:false', () => {
    const value = fc.oneof(
      fc.anything({ maxDepth: 2, withMap: false, withSet: false, withBigInt: false, withDate: false, withTypedArray: true, withNullPrototype: false }),
      fc.uint8Array({ maxLength: 20 }),
    );
    const arbMap = fc.record(
      {
        t: fc.constantFrom('hello', 'auth', 'pub', 'sub', 'unsub', 'sync', 'hist', 'hb', 'typing', 'leave', 'ping', 'x', ''),
        id: fc.oneof(fc.integer({ min: -5, max: 0x1_0000_0005 }), value),
        obj: value,
        prefix: value,
        bits: fc.oneof(fc.integer({ min: -1, max: 200 }), value),
        since: value,
        channel: value,
        limit: value,
        watch: value,
        token: value,
        versions: value,
      },
      { requiredKeys: ['t'] },
    );
    fc.assert(
      fc.property(arbMap, (m) => {
        let bytes: Uint8Array;
        try {
          bytes = encode(m);
        } catch {
          return; // not encodable: nothing to test
        }
        const r = decodeClientFrame(bytes);
        if (!r.ok) {
          expect(r.error.kind).toBe('BadFrame');
          // The id echoed is the one on the wire (MessagePack writes -0 as the integer 0).
          if (r.id !== undefined) expect(r.id).toBe((decode(bytes) as { id?: unknown }).id);
        }
      }),
      { numRuns: 5000, examples: [[{ t: 'hello', id: -0 }]] },
    );
  });

  it('mutated valid frames never throw and are refused as BadFrame when invalid', () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ op: fc.constant('set' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: validFrames.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, muts) => {
        let b = Array.from(validFrames[which]!);
        for (const m of muts) {
          const at = b.length ? m.at % b.length : 0;
          if (m.op === 'flip') b[at] = (b[at] ?? 0) ^ m.xor;
          else if (m.op === 'set') b[at] = m.v;
          else if (m.op === 'cut') b = b.slice(0, at);
          else if (m.op === 'insert') b.splice(at, 0, m.v);
          else b.splice(at, 1);
        }
        const r = decodeClientFrame(Uint8Array.from(b));
        if (r.ok) expect(ClientFrame.safeParse(r.frame).success).toBe(true);
        else expect(r.error.kind).toBe('BadFrame');
      }),
      { numRuns: 5000 },
    );
  });

  it('names the wrong-typed field in the message', () => {
    const cases: Array<[unknown, string]> = [
      [{ t: 'pub', id: 'x', obj }, 'id'],
      [{ t: 'pub', id: 1, obj: 'not bytes' }, 'obj'],
      [{ t: 'sub', id: 1, prefix: channel, bits: 200 }, 'bits'],
      [{ t: 'sub', id: 1, prefix: new Uint8Array(15), bits: 72 }, 'prefix'],
      [{ t: 'sub', id: 1, prefix: channel, bits: 72, since: [[1, -1]] }, 'since.0.1'],
      [{ t: 'sync', id: 1, prefix: channel, bits: 72, since: [[1, 5, [[3, 2]]]] }, 'since.0.2.0'],
      [{ t: 'sync', id: 1, prefix: channel, bits: 72, since: [[1, 5, []]] }, 'since.0.2'],
      [{ t: 'ping' }, 'id'],
      [{ t: 'hist', id: 1, channel, limit: 0 }, 'limit'],
      [{ t: 'hist', id: 1, channel, limit: 10, before: 'nope' }, 'before'],
      [{ t: 'hb', status: 'active', watch: [{ prefix: channel, bits: 72, digest: 'XYZ' }] }, 'watch.0.digest'],
      [{ t: 'hb', status: 'asleep', watch: [] }, 'status'],
      [{ t: 'hello', versions: [], token: 't' }, 'versions'],
      [{ t: 'nope' }, 't'],
    ];
    for (const [frame, field] of cases) {
      const r = decodeClientFrame(encode(frame));
      expect(r.ok, field).toBe(false);
      if (!r.ok) {
        expect(r.error.kind).toBe('BadFrame');
        expect(r.error.message.startsWith(`${field}: `), `${r.error.message} names ${field}`).toBe(true);
      }
    }
  });

  it('refuses frames over MAX_FRAME_BYTES with TooLarge, before decoding', () => {
    const big = encodeFrame({ t: 'pub', id: 1, obj: new Uint8Array(MAX_FRAME_BYTES) });
    expect(big.length).toBeGreaterThan(MAX_FRAME_BYTES);
    const r = decodeClientFrame(big);
    expectBad(r, ['TooLarge']);
    expect(r.ok === false && r.id).toBeUndefined();
    expectBad(decodeClientFrame(new Uint8Array(MAX_FRAME_BYTES + 1)), ['TooLarge']);
    // a frame just at the limit is decoded (and refused only by the schema, if at all)
    const pad = MAX_FRAME_BYTES - encodeFrame({ t: 'pub', id: 1, obj: new Uint8Array(0) }).length - 3; // bin8 header (2) becomes bin32 (5)
    const atLimit = encodeFrame({ t: 'pub', id: 1, obj: new Uint8Array(pad) });
    expect(atLimit.length).toBe(MAX_FRAME_BYTES);
    expect(decodeClientFrame(atLimit).ok).toBe(true);
  });

  it('echoes a valid id of a bad frame, and only a valid one', () => {
    const withId = (id: unknown) => decodeClientFrame(encode({ t: 'pub', id, obj: 'not bytes' }));
    const good = withId(42);
    expect(good.ok === false && good.id).toBe(42);
    expect(good.ok === false && good.error.message).toMatch(/^obj: /);
    expect(decodeClientFrame(encode({ t: 'hist', id: 0xffffffff, channel: 'x', limit: 1 }))).toMatchObject({ ok: false, id: 0xffffffff });
    expect(decodeClientFrame(encode({ t: 'whatever', id: 7 }))).toMatchObject({ ok: false, id: 7 });
    for (const bad of [-1, 1.5, 2 ** 32, '42', null, [42]]) {
      const r = withId(bad);
      expect(r.ok).toBe(false);
      expect('id' in r, JSON.stringify(bad)).toBe(false);
    }
    const r = decodeClientFrame(encode({ t: 'typing', channel: 1 }));
    expect('id' in r).toBe(false);
  });
});
