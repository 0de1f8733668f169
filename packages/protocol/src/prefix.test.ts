import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './hex.ts';
import {
  CHANNEL_BITS,
  DEVICE_BITS,
  KIND_BITS,
  MAX_CHANNEL,
  MAX_DEVICE,
  MAX_ORG,
  MAX_SEQ,
  MAX_TEAM,
  NAME_BITS,
  ORG_BITS,
  TEAM_BITS,
  makeName,
  type Name,
} from './name.ts';
import {
  channelFromKey,
  channelKey,
  channelOf,
  isCanonicalPrefix,
  makePrefix,
  maskName,
  matchesPrefix,
  parseName,
  parsePrefix,
  prefixContains,
  prefixToHex,
  prefixToText,
  type Prefix,
} from './prefix.ts';

const arbName: fc.Arbitrary<Name> = fc.uint8Array({ minLength: 16, maxLength: 16 });
const arbBits = fc.integer({ min: 0, max: NAME_BITS });
const LEVELS = [KIND_BITS, ORG_BITS, TEAM_BITS, CHANNEL_BITS, DEVICE_BITS, NAME_BITS];

/** Names that are mostly zero with a few bits set, so that prefixes of them often nest. */
const arbSparseName: fc.Arbitrary<Name> = fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 3 }).map((bits) => {
  const n = new Uint8Array(16);
  for (const b of bits) n[b >>> 3]! ^= 0x80 >>> (b & 7);
  return n;
});
const arbSparsePrefix: fc.Arbitrary<Prefix> = fc.tuple(arbSparseName, arbBits).map(([n, b]) => makePrefix(n, b));

function flipBit(n: Name, i: number): Name {
  const out = n.slice();
  out[i >>> 3]! ^= 0x80 >>> (i & 7);
  return out;
}

function bitOf(n: Name, i: number): number {
  return (n[i >>> 3]! >>> (7 - (i & 7))) & 1;
}

/** A random name under `p`: p's first bits, random bits after. */
function under(p: Prefix, noise: Name): Name {
  const out = new Uint8Array(16);
  for (let i = 0; i < 128; i++) {
    const bit = i < p.bits ? bitOf(p.name, i) : bitOf(noise, i);
    if (bit) out[i >>> 3]! |= 0x80 >>> (i & 7);
  }
  return out;
}

describe('prefix laws', () => {
  it('a name matches each of its own prefixes, for every length 0..128', () => {
    fc.assert(
      fc.property(arbName, (n) => {
        for (let b = 0; b <= NAME_BITS; b++) {
          const p = makePrefix(n, b);
          expect(matchesPrefix(n, p)).toBe(true);
          expect(isCanonicalPrefix(p)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a name differing in bit i matches prefixes of length <= i and no longer one', () => {
    fc.assert(
      fc.property(arbName, fc.integer({ min: 0, max: 127 }), (n, i) => {
        const m = flipBit(n, i);
        for (let b = 0; b <= NAME_BITS; b++) {
          expect(matchesPrefix(m, makePrefix(n, b)), `bit ${i}, prefix ${b}`).toBe(b <= i);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('matching agrees with a bit-by-bit model', () => {
    fc.assert(
      fc.property(arbName, arbName, arbBits, (n, m, b) => {
        let same = true;
        for (let i = 0; i < b; i++) if (bitOf(n, i) !== bitOf(m, i)) same = false;
        expect(matchesPrefix(m, makePrefix(n, b))).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('prefixContains is reflexive and transitive', () => {
    let chains = 0;
    fc.assert(
      fc.property(arbSparsePrefix, arbSparsePrefix, arbSparsePrefix, (a, b, c) => {
        expect(prefixContains(a, a)).toBe(true);
        if (prefixContains(a, b) && prefixContains(b, c)) {
          chains++;
          expect(prefixContains(a, c)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
    expect(chains).toBeGreaterThan(100); // the premise is exercised, not vacuous
  });

  it('prefixContains is consistent with matching', () => {
    fc.assert(
      fc.property(arbSparsePrefix, arbSparsePrefix, arbName, (outer, inner, noise) => {
        const m = under(inner, noise);
        expect(matchesPrefix(m, inner)).toBe(true);
        if (prefixContains(outer, inner)) {
          // every name under inner is under outer
          expect(matchesPrefix(m, outer)).toBe(true);
          expect(matchesPrefix(inner.name, outer)).toBe(true);
        } else if (inner.bits >= outer.bits) {
          // inner is long enough but diverges from outer inside outer's bits
          expect(matchesPrefix(inner.name, outer)).toBe(false);
          expect(matchesPrefix(m, outer)).toBe(false);
        }
        // a full name as a 128-bit prefix is contained exactly when it matches
        expect(prefixContains(outer, makePrefix(m, NAME_BITS))).toBe(matchesPrefix(m, outer));
      }),
      { numRuns: 3000 },
    );
  });

  it('maskName is idempotent, composes as the shorter mask, and copies', () => {
    fc.assert(
      fc.property(arbName, arbBits, arbBits, (n, a, b) => {
        const before = n.slice();
        const ma = maskName(n, a);
        expect(maskName(ma, a)).toEqual(ma);
        expect(maskName(ma, b)).toEqual(maskName(n, Math.min(a, b)));
        expect(n).toEqual(before);
        expect(ma).not.toBe(n);
        for (let i = 0; i < 128; i++) expect(bitOf(ma, i)).toBe(i < a ? bitOf(n, i) : 0);
      }),
      { numRuns: 500 },
    );
    for (const bad of [-1, 129, 1.5, Number.NaN]) expect(() => maskName(new Uint8Array(16), bad)).toThrow(RangeError);
  });
});

describe('prefix forms', () => {
  const arbFieldName = fc
    .record({
      kind: fc.integer({ min: 0, max: 0xff }),
      org: fc.integer({ min: 0, max: MAX_ORG }),
      team: fc.integer({ min: 0, max: MAX_TEAM }),
      channel: fc.integer({ min: 0, max: MAX_CHANNEL }),
      device: fc.integer({ min: 0, max: MAX_DEVICE }),
      seq: fc.integer({ min: 0, max: MAX_SEQ }),
    })
    .map(makeName);

  it('text form round trips at every field boundary', () => {
    fc.assert(
      fc.property(arbFieldName, fc.constantFrom(...LEVELS), (n, bits) => {
        const p = makePrefix(n, bits);
        const text = prefixToText(p);
        expect(text).not.toMatch(/^[0-9a-f]{32}\//); // not the hex form
        expect(text.split('/')).toHaveLength(LEVELS.indexOf(bits) + 1);
        expect(parsePrefix(text)).toEqual(p);
      }),
      { numRuns: 2000 },
    );
    const n = makeName({ kind: 1, org: 1, team: 2, channel: 3, device: 4, seq: 5 });
    expect(LEVELS.map((b) => prefixToText(makePrefix(n, b)))).toEqual(['m', 'm/1', 'm/1/2', 'm/1/2/3', 'm/1/2/3/4', 'm/1/2/3/4/5']);
  });

  it('hex form round trips for every length', () => {
    fc.assert(
      fc.property(arbName, arbBits, (n, bits) => {
        const p = makePrefix(n, bits);
        const hex = prefixToHex(p);
        expect(hex).toMatch(/^[0-9a-f]{32}\/\d{1,3}$/);
        expect(parsePrefix(hex)).toEqual(p);
        expect(parsePrefix(hex.toUpperCase())).toEqual(p);
        // prefixToText falls back to hex off the field boundaries, and round trips either way
        expect(parsePrefix(prefixToText(p))).toEqual(p);
        if (!LEVELS.includes(bits)) expect(prefixToText(p)).toBe(hex);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles lengths that are not multiples of 8 (28, 30, 73)', () => {
    const n = fromHex('01abcdef0123456789abcdef01234567')!;
    // 28 bits: kind + org; the low nibble of byte 3 is team's and is cleared
    const p28 = makePrefix(n, 28);
    expect(toHex(p28.name)).toBe('01abcde0' + '0'.repeat(24));
    expect(prefixToText(p28)).toBe('m/703710'); // org 0xabcde
    expect(parsePrefix('m/703710')).toEqual(p28);
    // 30 bits: two bits of team kept
    const p30 = makePrefix(n, 30);
    expect(toHex(p30.name)).toBe('01abcdec' + '0'.repeat(24));
    expect(prefixToText(p30)).toBe(`01abcdec${'0'.repeat(24)}/30`);
    expect(matchesPrefix(fromHex('01abcdef' + 'f'.repeat(24))!, p30)).toBe(true);
    expect(matchesPrefix(fromHex('01abcdec' + '0'.repeat(24))!, p30)).toBe(true);
    expect(matchesPrefix(fromHex('01abcde8' + '0'.repeat(24))!, p30)).toBe(false); // bit 29 differs
    expect(matchesPrefix(fromHex('01abcdf0' + '0'.repeat(24))!, p30)).toBe(false); // bit 27 differs
    // 73 bits: the channel plus device's top bit
    const p73 = makePrefix(n, 73);
    expect(toHex(p73.name)).toBe('01abcdef0123456789' + '80' + '0'.repeat(12));
    expect(matchesPrefix(fromHex('01abcdef0123456789' + 'ff' + '0'.repeat(12))!, p73)).toBe(true);
    expect(matchesPrefix(fromHex('01abcdef0123456789' + '7f' + '0'.repeat(12))!, p73)).toBe(false);
    expect(prefixContains(channelOf(n), p73)).toBe(true);
    expect(prefixContains(p73, channelOf(n))).toBe(false);
    // a non-canonical hex prefix (bits set past the length) is refused
    expect(parsePrefix(`${toHex(n)}/30`)).toBeUndefined();
    expect(isCanonicalPrefix({ name: n, bits: 30 })).toBe(false);
    expect(prefixToText({ name: n, bits: 72 })).toBe(`${toHex(n)}/72`);
  });

  it('returns undefined for malformed text', () => {
    const bad = [
      '',
      '/',
      'x',
      'M',
      'm/',
      'm//1',
      'm/1/',
      'm/1/2/3/4/5/6',
      'm/1048576', // org > 20 bits
      'm/0/1048576',
      'm/0/0/16777216',
      'm/0/0/0/16777216',
      'm/0/0/0/0/4294967296',
      'm/-1',
      'm/1.5',
      'm/1e3',
      'm/0x10',
      'm/ 1',
      'm/1 ',
      ' m/1',
      'm/12345678901',
      'k256/1',
      'toString',
      'constructor/1/2',
      '__proto__/1',
      'valueOf',
      'hasOwnProperty/0/0/0/0/0',
      'q/1',
      '0'.repeat(31),
      '0'.repeat(33),
      'g' + '0'.repeat(31),
      '0'.repeat(32) + '/129',
      '0'.repeat(32) + '/1000',
      '0'.repeat(32) + '/',
      '0'.repeat(32) + '/-1',
      '0'.repeat(32) + '/8/8',
      'f'.repeat(32) + '/0', // non-canonical
      '0x' + '0'.repeat(32),
    ];
    for (const t of bad) expect(parsePrefix(t), JSON.stringify(t)).toBeUndefined();
    expect(parseName('m/1/2/3')).toBeUndefined(); // a prefix, not a full name
    expect(parseName('0'.repeat(32) + '/96')).toBeUndefined();
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[mk0-9/]{0,40}$/), fc.stringMatching(/^[0-9a-fA-F]{32}\/?[0-9]{0,4}$/)), (t) => {
        const p = parsePrefix(t);
        if (p) {
          expect(isCanonicalPrefix(p)).toBe(true);
          expect(p.bits).toBeGreaterThanOrEqual(0);
          expect(p.bits).toBeLessThanOrEqual(128);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('channel keys are 18 hex digits and round trip', () => {
    fc.assert(
      fc.property(arbName, (n) => {
        const key = channelKey(n);
        expect(key).toMatch(/^[0-9a-f]{18}$/);
        expect(channelFromKey(key)).toEqual(channelOf(n));
        expect(prefixToHex(channelOf(n)).slice(0, 18)).toBe(key);
      }),
    );
    expect(channelFromKey('0'.repeat(17))).toBeUndefined();
    expect(channelFromKey('z'.repeat(18))).toBeUndefined();
  });
});
