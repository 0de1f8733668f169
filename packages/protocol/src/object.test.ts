import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MichatError } from './errors.ts';
import { toHex } from './hex.ts';
import { MAX_OBJECT_BYTES } from './limits.ts';
import { makeName } from './name.ts';
import { OBJECT_FORMAT, decodeObject, encodeObject, isExpiredAt, objectName, type ObjectEnvelope } from './object.ts';

const MAX_U48 = 2 ** 48 - 1;
const arbName = fc.uint8Array({ minLength: 16, maxLength: 16 });
const arbU48 = fc.oneof(fc.integer({ min: 0, max: MAX_U48 }), fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, MAX_U48, 1_760_000_000_000));
const arbEnvelope: fc.Arbitrary<ObjectEnvelope> = fc
  .record({
    name: arbName,
    created: arbU48,
    keyEpoch: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 0xffffffff)),
    expires: fc.option(arbU48, { nil: undefined }),
    threadRoot: fc.option(arbName, { nil: undefined }),
  })
  .map(({ expires, threadRoot, ...rest }) => {
    const env: ObjectEnvelope = { ...rest };
    if (expires !== undefined) env.expires = expires;
    if (threadRoot !== undefined) env.threadRoot = threadRoot;
    return env;
  });
const arbPayload = fc.uint8Array({ maxLength: 600 });

/** Runs `f` and returns the MichatError it throws; fails on success or on any other exception. */
function michatErrorOf(f: () => unknown): MichatError {
  try {
    f();
  } catch (e) {
    if (e instanceof MichatError) return e;
    throw new Error(`expected a MichatError, got ${String(e)}`);
  }
  throw new Error('expected a MichatError, got success');
}

const sample = (): ObjectEnvelope => ({
  name: makeName({ kind: 1, org: 1, team: 2, channel: 3, device: 4, seq: 5 }),
  created: 1_760_000_000_000,
  keyEpoch: 0,
});

describe('object envelope', () => {
  it('round trips every field', () => {
    fc.assert(
      fc.property(arbEnvelope, arbPayload, (env, payload) => {
        const obj = encodeObject(env, payload);
        const size = 28 + (env.expires !== undefined ? 6 : 0) + (env.threadRoot ? 16 : 0) + payload.length;
        expect(obj.bytes.length).toBe(size);
        expect(obj.bytes[0]).toBe(OBJECT_FORMAT);
        expect(obj.bytes[1]).toBe((env.expires !== undefined ? 1 : 0) | (env.threadRoot ? 2 : 0));
        const back = decodeObject(obj.bytes.slice());
        expect(back.name).toEqual(env.name);
        expect(back.created).toBe(env.created);
        expect(back.keyEpoch).toBe(env.keyEpoch);
        expect(back.expires).toBe(env.expires);
        expect(back.threadRoot).toEqual(env.threadRoot);
        expect('expires' in back).toBe(env.expires !== undefined);
        expect('threadRoot' in back).toBe(env.threadRoot !== undefined);
        expect(back.payload).toEqual(payload);
        expect(objectName(obj.bytes)).toEqual(env.name);
        // re-encoding the decoded fields gives the very same bytes
        expect(encodeObject(back, back.payload).bytes).toEqual(obj.bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the exact bytes and decodes views into larger buffers without copying', () => {
    fc.assert(
      fc.property(arbEnvelope, arbPayload, fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (env, payload, before, after) => {
        const enc = encodeObject(env, payload).bytes;
        const buf = new Uint8Array(before.length + enc.length + after.length);
        buf.set(before);
        buf.set(enc, before.length);
        buf.set(after, before.length + enc.length);
        const view = buf.subarray(before.length, before.length + enc.length);
        const obj = decodeObject(view);
        expect(obj.bytes).toBe(view);
        expect(obj.name).toEqual(env.name);
        expect(obj.created).toBe(env.created);
        expect(obj.expires).toBe(env.expires);
        expect(obj.payload).toEqual(payload);
        expect(obj.payload.buffer).toBe(buf.buffer);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes a fixed vector big-endian', () => {
    const obj = encodeObject({ ...sample(), keyEpoch: 0x01020304, expires: 0x0a0b0c0d0e0f }, new Uint8Array([0xaa]));
    expect(toHex(obj.bytes)).toBe(
      '01' + // format
        '01' + // flags: expiry
        '01000010000200000300000400000005' + // name m/1/2/3/4/5
        '0199c82cc000' + // created 1760000000000
        '01020304' + // key epoch
        '0a0b0c0d0e0f' + // expiry
        'aa', // payload
    );
  });

  it('isExpiredAt agrees with the decoded expiry', () => {
    fc.assert(
      fc.property(arbEnvelope, arbPayload, arbU48, (env, payload, now) => {
        const bytes = encodeObject(env, payload).bytes;
        expect(isExpiredAt(bytes, now)).toBe(env.expires !== undefined && env.expires <= now);
        if (env.expires !== undefined) {
          expect(isExpiredAt(bytes, env.expires)).toBe(true);
          if (env.expires > 0) expect(isExpiredAt(bytes, env.expires - 1)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses truncated input with BadFrame', () => {
    const full = encodeObject({ ...sample(), expires: 1_770_000_000_000, threadRoot: makeName({ kind: 1, org: 1, team: 2, channel: 3, device: 4, seq: 1 }) }, new Uint8Array());
    expect(full.bytes.length).toBe(50);
    for (let len = 0; len < full.bytes.length; len++) {
      const e = michatErrorOf(() => decodeObject(full.bytes.subarray(0, len)));
      expect(e.kind, `length ${len}`).toBe('BadFrame');
    }
    const plain = encodeObject(sample(), new Uint8Array()).bytes;
    expect(plain.length).toBe(28);
    expect(decodeObject(plain).payload.length).toBe(0);
  });

  it('refuses unknown formats and flags with BadFrame', () => {
    const good = encodeObject(sample(), new Uint8Array([1, 2, 3])).bytes;
    for (let f = 0; f < 256; f++) {
      if (f === OBJECT_FORMAT) continue;
      const b = good.slice();
      b[0] = f;
      expect(michatErrorOf(() => decodeObject(b)).kind).toBe('BadFrame');
    }
    for (let flags = 4; flags < 256; flags++) {
      const b = new Uint8Array(200);
      b[0] = OBJECT_FORMAT;
      b[1] = flags;
      expect(michatErrorOf(() => decodeObject(b)).kind).toBe('BadFrame');
    }
  });

  it('enforces MAX_OBJECT_BYTES with TooLarge', () => {
    const atLimit = encodeObject(sample(), new Uint8Array(MAX_OBJECT_BYTES - 28));
    expect(atLimit.bytes.length).toBe(MAX_OBJECT_BYTES);
    expect(decodeObject(atLimit.bytes).payload.length).toBe(MAX_OBJECT_BYTES - 28);
    expect(michatErrorOf(() => encodeObject(sample(), new Uint8Array(MAX_OBJECT_BYTES - 27))).kind).toBe('TooLarge');
    expect(michatErrorOf(() => encodeObject({ ...sample(), expires: 1 }, new Uint8Array(MAX_OBJECT_BYTES - 28))).kind).toBe('TooLarge');
    const big = new Uint8Array(MAX_OBJECT_BYTES + 1);
    big.set(atLimit.bytes);
    expect(michatErrorOf(() => decodeObject(big)).kind).toBe('TooLarge');
  });

  it('encodeObject throws RangeError on fields out of range', () => {
    const p = new Uint8Array();
    expect(() => encodeObject({ ...sample(), name: new Uint8Array(15) }, p)).toThrow(RangeError);
    expect(() => encodeObject({ ...sample(), created: -1 }, p)).toThrow(RangeError);
    expect(() => encodeObject({ ...sample(), created: 2 ** 48 }, p)).toThrow(RangeError);
    expect(() => encodeObject({ ...sample(), created: 1.5 }, p)).toThrow(RangeError);
    expect(() => encodeObject({ ...sample(), keyEpoch: -1 }, p)).toThrow(RangeError);
    expect(() => encodeObject({ ...sample(), keyEpoch: 2 ** 32 }, p)).toThrow(RangeError);
    expect(() => encodeObject({ ...sample(), expires: 2 ** 48 }, p)).toThrow(RangeError);
    expect(() => encodeObject({ ...sample(), threadRoot: new Uint8Array(17) }, p)).toThrow(RangeError);
  });

  it('random bytes either decode or throw a BadFrame/TooLarge MichatError, nothing else', () => {
    const arbBytes = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      // mostly-plausible headers: format 1, low flags
      fc.tuple(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ minLength: 20, maxLength: 80 })).map(([flags, rest]) => Uint8Array.of(OBJECT_FORMAT, flags, ...rest)),
    );
    let decoded = 0;
    fc.assert(
      fc.property(arbBytes, (bytes) => {
        let obj;
        try {
          obj = decodeObject(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(MichatError);
          expect(['BadFrame', 'TooLarge']).toContain((e as MichatError).kind);
          return;
        }
        decoded++;
        expect(obj.bytes).toBe(bytes);
        expect(obj.name.length).toBe(16);
        expect(encodeObject(obj, obj.payload).bytes).toEqual(bytes);
      }),
      { numRuns: 5000 },
    );
    expect(decoded).toBeGreaterThan(100);
  });
});
