import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, fromHex, toHex } from './hex.ts';

describe('hex', () => {
  it('round trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const h = toHex(b);
        expect(h).toMatch(/^([0-9a-f]{2})*$/);
        expect(fromHex(h)).toEqual(b);
        expect(fromHex(h.toUpperCase())).toEqual(b);
        expect(bytesEqual(fromHex(h)!, b)).toBe(true);
      }),
    );
  });

  it('refuses odd lengths and non-hex', () => {
    for (const bad of ['0', 'abc', 'zz', '0x00', ' 00', '00 ', '+1', '-1']) expect(fromHex(bad)).toBeUndefined();
    expect(fromHex('')).toEqual(new Uint8Array());
  });

  it('bytesEqual', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(false);
  });
});
