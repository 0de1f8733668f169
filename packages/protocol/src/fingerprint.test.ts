import { describe, expect, it } from 'vitest';
import { deviceFingerprint } from './fingerprint.ts';
import { fromHex } from './hex.ts';

/** Computed independently (Python hashlib) from the definition in fingerprint.ts. */
const VECTORS = [
  // RFC 8032 §7.1 TEST 1 public key
  { key: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', fingerprint: '09055 32150 32189 73876 01158 65684 66941 93078 24463 99547 08238 31636' },
  { key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', fingerprint: '30460 44097 29301 61634 78005 24954 49937 42845 36674 56682 45058 97347' },
  { key: '00'.repeat(32), fingerprint: '74126 92064 02867 21124 18807 54181 09370 94829 89445 38948 95748 51974' },
];

describe('deviceFingerprint', () => {
  it('matches the test vectors', async () => {
    for (const v of VECTORS) expect(await deviceFingerprint(fromHex(v.key)!), v.key).toBe(v.fingerprint);
  });

  it('is 60 digits in 12 groups of 5, and differs when one bit of the key does', async () => {
    const key = fromHex(VECTORS[0]!.key)!;
    const a = await deviceFingerprint(key);
    expect(a).toMatch(/^\d{5}( \d{5}){11}$/);
    key[31]! ^= 1;
    expect(await deviceFingerprint(key)).not.toBe(a);
  });
});
