import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VersionVector } from '@michat/protocol';
import { decodeStreamState, encodeStreamState } from './stream-state.ts';

function reread(bytes: Uint8Array, device = 1): VersionVector {
  const v = new VersionVector();
  for (const [from, to] of decodeStreamState(bytes)) v.addRange(device, from, to);
  return v;
}

describe('stream state', () => {
  it('a stream without holes is 12 bytes however long it is; a permanent hole adds 8 for good', () => {
    const v = new VersionVector();
    for (let s = 1; s <= 3; s++) v.add(1, s);
    expect(encodeStreamState(v, 1)).toEqual(Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 3));
    for (let s = 5; s <= 10_000; s++) v.add(1, s);
    const bytes = encodeStreamState(v, 1);
    expect(bytes).toEqual(Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0x27, 0x10));
    expect(encodeStreamState(v, 2)).toEqual(Uint8Array.of(0, 0, 0, 0)); // a device it never heard of
  });

  it('round trips any set of intervals', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 0, max: 1000 })), { maxLength: 40 }), (ranges) => {
        const v = new VersionVector();
        for (const [from, len] of ranges) v.addRange(7, from, from + len);
        const bytes = encodeStreamState(v, 7);
        expect(bytes.length).toBe(4 + 8 * v.intervalCount(7));
        expect(reread(bytes, 7).intervals(7)).toEqual(v.intervals(7));
      }),
    );
  });

  it('decoding never throws, and yields only valid intervals from damaged values', () => {
    expect(decodeStreamState(new Uint8Array(0))).toEqual([]);
    expect(decodeStreamState(Uint8Array.of(0, 0))).toEqual([]);
    // cut short: the whole intervals it holds; a count that disagrees is ignored
    expect(decodeStreamState(Uint8Array.of(0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 5))).toEqual([[1, 3]]);
    // not intervals: from 0, from > to
    expect(decodeStreamState(Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0, 8))).toEqual([]);
    // a view into a larger buffer
    const big = Uint8Array.of(0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4);
    expect(decodeStreamState(big.subarray(2))).toEqual([[2, 4]]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        for (const [from, to] of decodeStreamState(bytes)) expect(from >= 1 && from <= to && to <= 0xffffffff).toBe(true);
      }),
    );
  });
});
