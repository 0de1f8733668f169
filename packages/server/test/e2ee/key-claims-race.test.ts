import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_RATE_LIMITS } from '@michat/core';
import type { Session } from '@michat/protocol';
import { startFixture, type Fixture } from '../fixture.ts';
import { claim, fakeKeyPackages, registerKey, stock, upload } from './key-helpers.ts';

describe('concurrent KeyPackage claims on one node (SQLite)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ persistent: true, config: { rateLimits: NO_RATE_LIMITS } });
  });
  afterAll(() => f?.close());

  it('1,000 claims at once for 100 one-time KeyPackages (10 devices × 10, no last resort): each handed out exactly once', async () => {
    const owners = [await f.user('owner1'), await f.user('owner2')];
    const devices: Session[] = [];
    for (let i = 0; i < 10; i++) devices.push(i < 2 ? owners[i]! : await f.login(owners[i % 2]!.username));
    const uploaded = new Set<string>();
    for (const d of devices) {
      await registerKey(f.api, d);
      const kps = fakeKeyPackages(10);
      expect(await upload(f.api, d, kps)).toBe(10);
      for (const kp of kps) uploaded.add(kp);
    }
    const claimers = [await f.user('claimer1'), await f.user('claimer2'), await f.user('claimer3'), await f.user('claimer4')];

    const answers = await Promise.all(Array.from({ length: 1_000 }, (_, i) => claim(f.api, claimers[i % claimers.length]!, [devices[i % devices.length]!.deviceId])));
    const handedOut = answers.flat();
    expect(handedOut.every((k) => !k.lastResort)).toBe(true);
    expect(handedOut).toHaveLength(100);
    expect(new Set(handedOut.map((k) => k.keyPackage)).size).toBe(100);
    expect(new Set(handedOut.map((k) => k.keyPackage))).toEqual(uploaded);
    // Each device's ten went to claims that asked for that device.
    for (const d of devices) expect(handedOut.filter((k) => k.deviceId === d.deviceId)).toHaveLength(10);
    for (const d of devices) expect(await stock(f.api, d)).toEqual({ stock: 0, lastResort: false });
  });
});
