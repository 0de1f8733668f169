import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './hex.ts';
import {
  KINDS,
  MAX_CHANNEL,
  MAX_DEVICE,
  MAX_ORG,
  MAX_SEQ,
  MAX_TEAM,
  NAME_BYTES,
  isName,
  kindFromText,
  kindToText,
  makeName,
  nameDevice,
  nameFields,
  nameSeq,
  nameToText,
  type NameFields,
} from './name.ts';
import { parseName } from './prefix.ts';

const arbFields: fc.Arbitrary<NameFields> = fc.record({
  kind: fc.integer({ min: 0, max: 0xff }),
  org: fc.integer({ min: 0, max: MAX_ORG }),
  team: fc.integer({ min: 0, max: MAX_TEAM }),
  channel: fc.integer({ min: 0, max: MAX_CHANNEL }),
  device: fc.integer({ min: 0, max: MAX_DEVICE }),
  seq: fc.integer({ min: 0, max: MAX_SEQ }),
});

const MAXES: Record<keyof NameFields, number> = {
  kind: 0xff,
  org: MAX_ORG,
  team: MAX_TEAM,
  channel: MAX_CHANNEL,
  device: MAX_DEVICE,
  seq: MAX_SEQ,
};

describe('name', () => {
  it('makeName/nameFields round trip over every field range', () => {
    fc.assert(
      fc.property(arbFields, (f) => {
        const n = makeName(f);
        expect(n).toBeInstanceOf(Uint8Array);
        expect(n.length).toBe(NAME_BYTES);
        expect(isName(n)).toBe(true);
        expect(nameFields(n)).toEqual(f);
      }),
      { numRuns: 2000 },
    );
  });

  it('round trips every field at its bounds, the others at theirs', () => {
    const zero: NameFields = { kind: 0, org: 0, team: 0, channel: 0, device: 0, seq: 0 };
    const max: NameFields = { ...MAXES };
    expect(nameFields(makeName(zero))).toEqual(zero);
    expect(nameFields(makeName(max))).toEqual(max);
    expect(toHex(makeName(max))).toBe('ff'.repeat(16));
    for (const k of Object.keys(MAXES) as Array<keyof NameFields>) {
      const onlyMax = { ...zero, [k]: MAXES[k] };
      expect(nameFields(makeName(onlyMax))).toEqual(onlyMax);
      const allButOne = { ...max, [k]: 0 };
      expect(nameFields(makeName(allButOne))).toEqual(allButOne);
    }
  });

  it('throws RangeError on out-of-range fields', () => {
    const ok: NameFields = { kind: 1, org: 1, team: 1, channel: 1, device: 1, seq: 1 };
    for (const k of Object.keys(MAXES) as Array<keyof NameFields>) {
      for (const bad of [MAXES[k] + 1, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => makeName({ ...ok, [k]: bad }), `${k}=${bad}`).toThrow(RangeError);
      }
    }
  });

  it('is big-endian, fields packed most significant first (fixed vector)', () => {
    const n = makeName({ kind: 0x01, org: 0x12345, team: 0x6789a, channel: 0xbcdef0, device: 0x123456, seq: 0x789abcde });
    expect(toHex(n)).toBe('01123456789abcdef0123456789abcde');
    const one = makeName({ kind: 0, org: 0, team: 0, channel: 0, device: 0, seq: 1 });
    expect(one[15]).toBe(1);
    expect(toHex(makeName({ kind: 0, org: 1, team: 0, channel: 0, device: 0, seq: 0 }))).toBe('00000010' + '0'.repeat(24));
    expect(toHex(makeName({ kind: 0, org: 0, team: 1, channel: 0, device: 0, seq: 0 }))).toBe('000000000001' + '0'.repeat(20));
    expect(toHex(makeName({ kind: 0, org: 0, team: 0x80000, channel: 0, device: 0, seq: 0 }))).toBe('000000080000' + '0'.repeat(20));
  });

  it('nameDevice and nameSeq agree with nameFields', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (n) => {
        const f = nameFields(n);
        expect(nameDevice(n)).toBe(f.device);
        expect(nameSeq(n)).toBe(f.seq);
        expect(nameSeq(n)).toBeGreaterThanOrEqual(0);
        expect(nameFields(makeName(f))).toEqual(f);
        expect(makeName(f)).toEqual(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('text form round trips through parseName', () => {
    fc.assert(
      fc.property(arbFields, (f) => {
        const n = makeName(f);
        const text = nameToText(n);
        expect(text).toMatch(/^(m|k\d{1,3})(\/\d+){5}$/);
        expect(parseName(text)).toEqual(n);
      }),
      { numRuns: 2000 },
    );
    expect(nameToText(makeName({ kind: KINDS.message, org: 1, team: 2, channel: 3, device: 4, seq: 5 }))).toBe('m/1/2/3/4/5');
    expect(nameToText(makeName({ kind: 7, org: 1, team: 2, channel: 3, device: 4, seq: 5 }))).toBe('k7/1/2/3/4/5');
  });

  it('hex form round trips through parseName and fromHex', () => {
    fc.assert(
      fc.property(arbFields, (f) => {
        const n = makeName(f);
        const hex = toHex(n);
        expect(hex).toMatch(/^[0-9a-f]{32}$/);
        expect(fromHex(hex)).toEqual(n);
        expect(parseName(hex)).toEqual(n);
        expect(parseName(hex.toUpperCase())).toEqual(n);
        expect(parseName(`${hex}/128`)).toEqual(n);
      }),
    );
  });

  it('kind text forms', () => {
    expect(kindToText(1)).toBe('m');
    expect(kindFromText('m')).toBe(1);
    expect(kindFromText('k1')).toBe(1);
    for (let k = 0; k <= 0xff; k++) expect(kindFromText(kindToText(k))).toBe(k);
    for (const bad of ['', 'k', 'k256', 'k1000', 'M', 'x', 'k-1', 'k1a', 'toString', 'constructor', '__proto__', 'valueOf']) expect(kindFromText(bad)).toBeUndefined();
  });

  it('isName', () => {
    expect(isName(new Uint8Array(16))).toBe(true);
    expect(isName(new Uint8Array(15))).toBe(false);
    expect(isName(new Uint8Array(17))).toBe(false);
    expect(isName('00'.repeat(16))).toBe(false);
    expect(isName(Array(16).fill(0))).toBe(false);
  });
});
