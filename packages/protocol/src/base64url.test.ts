import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64UrlLength, fromBase64Url, toBase64Url } from './base64url.ts';
import { bytesEqual } from './hex.ts';

describe('base64url', () => {
  it('round-trips any bytes, unpadded, in the URL alphabet, at the length it promises', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(text.length).toBe(base64UrlLength(bytes.length));
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it('matches RFC 4648 and refuses padding, the standard alphabet and impossible lengths', () => {
    expect(toBase64Url(new TextEncoder().encode('foobar'))).toBe('Zm9vYmFy');
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(fromBase64Url('-_8')).toEqual(Uint8Array.of(0xfb, 0xff));
    expect(fromBase64Url('')).toEqual(new Uint8Array(0));
    for (const bad of ['Zg==', '+/8', 'a b', 'abcde']) expect(fromBase64Url(bad), bad).toBeUndefined();
  });

  it('encodes inputs larger than one chunk of String.fromCharCode', () => {
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(bytesEqual(fromBase64Url(toBase64Url(big))!, big)).toBe(true);
  });
});
