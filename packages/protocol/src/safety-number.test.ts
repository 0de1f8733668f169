import { describe, expect, it } from 'vitest';
import { fromHex } from './hex.ts';
import { safetyNumber } from './safety-number.ts';

const K1 = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')!;
const K2 = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')!;
const K3 = new Uint8Array(32);

/** Computed independently (Python hashlib, struct '>QQ') from the definition in safety-number.ts. */
describe('safetyNumber', () => {
  it('matches the test vectors', async () => {
    expect(await safetyNumber([2, 5], [{ userId: 2, deviceId: 7, signatureKey: K1 }, { userId: 5, deviceId: 9, signatureKey: K2 }])).toBe('95825 90503 99152 51728 18222 87594 62367 16818 75127 37430 06784 67278');
    expect(
      await safetyNumber([2, 5], [
        { userId: 2, deviceId: 7, signatureKey: K1 },
        { userId: 5, deviceId: 9, signatureKey: K2 },
        { userId: 5, deviceId: 12, signatureKey: K3 },
      ]),
    ).toBe('01452 82197 99553 02371 11310 28956 43694 28954 85374 74505 42313 01820');
    expect(await safetyNumber([4, 4], [{ userId: 4, deviceId: 3, signatureKey: K2 }, { userId: 4, deviceId: 1, signatureKey: K1 }])).toBe('67235 11752 39975 88916 89779 35056 91260 19457 57020 69110 52346 48277');
    expect(await safetyNumber([3, 8], [])).toBe('07221 14603 00058 26890 57598 38351 54785 93650 27455 93682 25692 15609');
  });

  it('is the same from either side and in any order, and changes with any device', async () => {
    const alice = { userId: 2, deviceId: 7, signatureKey: K1 };
    const bob = { userId: 5, deviceId: 9, signatureKey: K2 };
    const a = await safetyNumber([2, 5], [alice, bob]);
    expect(await safetyNumber([5, 2], [bob, alice])).toBe(a);
    expect(await safetyNumber([2, 5], [alice, bob, { userId: 2, deviceId: 8, signatureKey: K3 }])).not.toBe(a);
    expect(await safetyNumber([2, 5], [alice, { ...bob, signatureKey: K3 }])).not.toBe(a);
    expect(await safetyNumber([2, 6], [alice])).not.toBe(await safetyNumber([2, 5], [alice]));
  });

  it('refuses devices of someone else, short keys and duplicates', async () => {
    await expect(safetyNumber([2, 5], [{ userId: 3, deviceId: 1, signatureKey: K1 }])).rejects.toThrow(RangeError);
    await expect(safetyNumber([2, 5], [{ userId: 2, deviceId: 1, signatureKey: K1.slice(1) }])).rejects.toThrow(RangeError);
    await expect(safetyNumber([2, 5], [{ userId: 2, deviceId: 1, signatureKey: K1 }, { userId: 2, deviceId: 1, signatureKey: K2 }])).rejects.toThrow(RangeError);
  });
});
