import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFingerprint, toBase64Url, type Channel, type DeviceKey, type KeyPackageStock, type MemberDevice, type Session, type SignedInDevice } from '@michat/protocol';
import { LOOPBACK_RATE_LIMITS, startFixture, teamWithChannel, type Fixture } from '../fixture.ts';
import { foreignUser } from '../directory/helpers.ts';
import { call } from '../sign-in-helpers.ts';
import { channelDevices, claim, ed25519PublicKey, expectError, fakeKeyPackages, ok, registerKey, stock, upload } from './key-helpers.ts';

describe('device keys and KeyPackages over HTTP', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ persistent: true });
  });
  afterAll(() => f?.close());

  const stored = async (prefix: string) => (await f.server.node.kv.list(prefix)).map(([key]) => key);

  it('a device registers its signature key once: the same key again is fine, another one is a Conflict', async () => {
    const alice = await f.user('alice');
    const key = await ed25519PublicKey();
    const registered = await f.api<DeviceKey>('PUT', '/api/devices/current/key', { signatureKey: toBase64Url(key) }, alice.accessToken);
    expect(registered).toEqual({ status: 200, body: { deviceId: alice.deviceId, signatureKey: toBase64Url(key), fingerprint: await deviceFingerprint(key) } });
    expect(registered.body.fingerprint).toMatch(/^\d{5}( \d{5}){11}$/);

    expect(await f.api('PUT', '/api/devices/current/key', { signatureKey: toBase64Url(key) }, alice.accessToken)).toEqual(registered);
    const other = await f.api('PUT', '/api/devices/current/key', { signatureKey: toBase64Url(await ed25519PublicKey()) }, alice.accessToken);
    expectError(other, 409, 'Conflict');

    // "My devices" shows the key that stayed; a device that registered none shows null.
    const phone = await f.login('alice');
    const mine = await ok<SignedInDevice[]>(f.api('GET', '/api/devices', undefined, phone.accessToken));
    expect(mine.find((d) => d.deviceId === alice.deviceId)).toMatchObject({ signatureKey: toBase64Url(key), fingerprint: registered.body.fingerprint });
    expect(mine.find((d) => d.deviceId === phone.deviceId)).toMatchObject({ signatureKey: null, fingerprint: null, current: true });
  });

  it('refuses malformed keys and KeyPackages with BadRequest, storing nothing', async () => {
    const bob = await f.user('bob');
    const key = await ed25519PublicKey();
    const badKeys: unknown[] = [
      toBase64Url(key.subarray(0, 31)),
      toBase64Url(new Uint8Array(33)),
      `${toBase64Url(key)}=`, // padded
      toBase64Url(key).replace(/.$/, '+'), // standard alphabet
      'not base64url!',
      42,
    ];
    for (const signatureKey of badKeys) expectError(await f.api('PUT', '/api/devices/current/key', { signatureKey }, bob.accessToken), 400, 'BadRequest');
    expectError(await f.api('PUT', '/api/devices/current/key', { signatureKey: toBase64Url(key), extra: 1 }, bob.accessToken), 400, 'BadRequest');
    expect(await stored(`d/devkey/${bob.deviceId}`)).toEqual([]);

    // KeyPackages before a key is registered: refused.
    expectError(await f.api('POST', '/api/keypackages', { keyPackages: fakeKeyPackages(1) }, bob.accessToken), 409, 'Conflict');
    await registerKey(f.api, bob);

    const good = fakeKeyPackages(3);
    const badUploads: unknown[] = [
      { keyPackages: [good[0], 'a+b', good[1]] }, // one bad one spoils the upload
      { keyPackages: [...good, toBase64Url(new Uint8Array(4097))] },
      { keyPackages: [''] },
      { keyPackages: fakeKeyPackages(101, 10) },
      { keyPackages: good, lastResort: 'Zm9v=' },
      { keyPackages: 'nope' },
      {},
    ];
    for (const req of badUploads) expectError(await f.api('POST', '/api/keypackages', req, bob.accessToken), 400, 'BadRequest');
    expect(await stock(f.api, bob)).toEqual({ stock: 0, lastResort: false });
    expect([...(await stored(`d/kp/${bob.deviceId}/`)), ...(await stored(`d/kplr/${bob.deviceId}`))]).toEqual([]);

    // 4096 bytes is the largest accepted.
    expect(await upload(f.api, bob, [toBase64Url(new Uint8Array(4096).fill(7))])).toBe(1);

    for (const devices of [[], [1, 1], Array.from({ length: 101 }, (_, i) => i), ['1']]) {
      expectError(await f.api('POST', '/api/keypackages/claim', { devices }, bob.accessToken), 400, 'BadRequest');
    }
  });

  it('hands each one-time KeyPackage out once, then the last resort (kept, replaced by the next upload)', async () => {
    const carol = await f.user('carol');
    const dan = await f.user('dan');
    await registerKey(f.api, carol);
    const [kps, lastResort] = [fakeKeyPackages(3), fakeKeyPackages(1)[0]!];
    expect(await upload(f.api, carol, kps, lastResort)).toBe(3);
    expect(await stock(f.api, carol)).toEqual({ stock: 3, lastResort: true });

    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [one, ...rest] = await claim(f.api, dan, [carol.deviceId]);
      expect(rest).toEqual([]);
      expect(one).toMatchObject({ deviceId: carol.deviceId, lastResort: false });
      got.push(one!.keyPackage);
    }
    expect(got.sort()).toEqual([...kps].sort());
    expect(await stock(f.api, carol)).toEqual({ stock: 0, lastResort: true });

    // Out of one-time ones: the last resort, again and again.
    for (let i = 0; i < 2; i++) expect(await claim(f.api, dan, [carol.deviceId])).toEqual([{ deviceId: carol.deviceId, keyPackage: lastResort, lastResort: true }]);
    expect(await stock(f.api, carol)).toEqual({ stock: 0, lastResort: true });
    const newer = fakeKeyPackages(1)[0]!;
    expect(await upload(f.api, carol, [], newer)).toBe(0);
    expect(await claim(f.api, dan, [carol.deviceId])).toEqual([{ deviceId: carol.deviceId, keyPackage: newer, lastResort: true }]);

    // Devices with nothing to hand out, and unknown ones, are left out; the rest keep the order asked.
    await registerKey(f.api, dan);
    await upload(f.api, dan, fakeKeyPackages(1));
    const mixed = await claim(f.api, carol, [999_999, dan.deviceId, (await f.login('dan')).deviceId, carol.deviceId]);
    expect(mixed.map((k) => [k.deviceId, k.lastResort])).toEqual([
      [dan.deviceId, false],
      [carol.deviceId, true],
    ]);
  });

  it('holds at most 200 one-time KeyPackages per device: an upload past that stores none of its own', async () => {
    const erin = await f.user('erin');
    await registerKey(f.api, erin);
    expect(await upload(f.api, erin, fakeKeyPackages(100, 50))).toBe(100);
    expect(await upload(f.api, erin, fakeKeyPackages(90, 50))).toBe(190);
    const over = await f.api('POST', '/api/keypackages', { keyPackages: fakeKeyPackages(11, 50), lastResort: fakeKeyPackages(1)[0] }, erin.accessToken);
    expectError(over, 400, 'BadRequest');
    expect(await stock(f.api, erin)).toEqual<KeyPackageStock>({ stock: 190, lastResort: false });
    expect(await upload(f.api, erin, fakeKeyPackages(10, 50))).toBe(200);

    // Uploads at once for one device cannot pass the bound either: two of three fit.
    const fay = await f.user('fay');
    await registerKey(f.api, fay);
    const answers = await Promise.all([0, 1, 2].map(() => f.api('POST', '/api/keypackages', { keyPackages: fakeKeyPackages(100, 50) }, fay.accessToken)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 400]);
    expect(await stock(f.api, fay)).toEqual({ stock: 200, lastResort: false });
  });

  describe('who sees whose devices', () => {
    let frank: Session;
    let frankPhone: Session;
    let grace: Session;
    let graceOld: Session;
    let heidi: Session;
    let ivan: Session;
    let teamId: number;
    let privateChannel: Channel;
    beforeAll(async () => {
      frank = await f.user('frank');
      frankPhone = await f.login('frank');
      grace = await f.user('grace');
      graceOld = await f.login('grace');
      heidi = await f.user('heidi');
      ivan = await foreignUser(f, 'globex', 'ivan');
      ({ teamId } = await teamWithChannel(f, [frank, grace, heidi], 'crypto'));
      privateChannel = await ok<Channel>(f.api('POST', `/api/teams/${teamId}/channels`, { name: 'secret', visibility: 'private' }, frank.accessToken));
      await ok(f.api('POST', `/api/channels/${privateChannel.id}/members`, { username: grace.username }, frank.accessToken));
      await registerKey(f.api, frank);
      await registerKey(f.api, grace);
      await registerKey(f.api, graceOld);
      await ok(f.api('DELETE', `/api/devices/${graceOld.deviceId}`, undefined, grace.accessToken));
    });

    it("lists every signed-in device of a channel's members with its key, to members and the org admin only", async () => {
      const expected = async (): Promise<MemberDevice[]> => {
        const mine = await ok<SignedInDevice[]>(f.api('GET', '/api/devices', undefined, frank.accessToken));
        const bobs = await ok<SignedInDevice[]>(f.api('GET', '/api/devices', undefined, grace.accessToken));
        const row = (s: Session) => (d: SignedInDevice): MemberDevice => ({ userId: s.userId, username: s.username, deviceId: d.deviceId, signatureKey: d.signatureKey, fingerprint: d.fingerprint });
        return [...mine.filter((d) => d.signedIn).map(row(frank)), ...bobs.filter((d) => d.signedIn).map(row(grace))];
      };
      const list = await channelDevices(f.api, frank, privateChannel.id);
      expect(list).toEqual(await expected());
      // frank: the device with a key and the phone without one; grace: not the signed-out device.
      expect(list.map((d) => [d.username, d.signatureKey === null])).toEqual([
        ['frank', false],
        ['frank', true],
        ['grace', false],
      ]);
      expect(list.some((d) => d.deviceId === graceOld.deviceId)).toBe(false);
      expect(await channelDevices(f.api, grace, privateChannel.id)).toEqual(list);
      expect(await channelDevices(f.api, f.admin, privateChannel.id)).toEqual(list); // org admin, not in the channel

      expectError(await f.api('GET', `/api/channels/${privateChannel.id}/devices`, undefined, heidi.accessToken), 403, 'Forbidden'); // in the team, not the channel
      expectError(await f.api('GET', `/api/channels/${privateChannel.id}/devices`, undefined, ivan.accessToken), 403, 'Forbidden');
      expectError(await f.api('GET', '/api/channels/999999/devices', undefined, frank.accessToken), 404, 'NotFound');
      expectError(await f.api('GET', `/api/channels/${privateChannel.id}/devices`), 401, 'Unauthorized');
    });

    it('lists the devices of a direct message to its members only', async () => {
      const dm = await ok<Channel>(f.api('POST', '/api/dms', { usernames: [grace.username] }, frank.accessToken));
      expect((await channelDevices(f.api, grace, dm.id)).map((d) => d.deviceId)).toEqual([frank.deviceId, frankPhone.deviceId, grace.deviceId]);
      for (const outsider of [heidi, f.admin]) expectError(await f.api('GET', `/api/channels/${dm.id}/devices`, undefined, outsider.accessToken), 403, 'Forbidden');
    });

    it("shows one user's devices and fingerprints to users of the org; to others the user does not exist", async () => {
      const devices = await ok<{ devices: MemberDevice[] }>(f.api('GET', `/api/users/${grace.userId}/devices/keys`, undefined, heidi.accessToken));
      const bobKey = (await ok<SignedInDevice[]>(f.api('GET', '/api/devices', undefined, grace.accessToken))).find((d) => d.deviceId === grace.deviceId)!;
      expect(devices).toEqual({ devices: [{ userId: grace.userId, username: 'grace', deviceId: grace.deviceId, signatureKey: bobKey.signatureKey, fingerprint: bobKey.fingerprint }] });
      expect(bobKey.fingerprint).toBe(await deviceFingerprint(Uint8Array.from(atob(bobKey.signatureKey!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
      expectError(await f.api('GET', `/api/users/${grace.userId}/devices/keys`, undefined, ivan.accessToken), 404, 'NotFound');
      expectError(await f.api('GET', '/api/users/999999/devices/keys', undefined, heidi.accessToken), 404, 'NotFound');
    });

    it('a user of another org claims nothing (and takes nothing) until they share a team', async () => {
      await upload(f.api, grace, fakeKeyPackages(2));
      expect(await claim(f.api, ivan, [grace.deviceId])).toEqual([]);
      expect((await stock(f.api, grace)).stock).toBe(2);
      await ok(f.api('POST', `/api/teams/${teamId}/members`, { username: ivan.username }, f.admin.accessToken));
      expect((await claim(f.api, ivan, [grace.deviceId])).map((k) => k.deviceId)).toEqual([grace.deviceId]);
      expect((await stock(f.api, grace)).stock).toBe(1);
    });

    it("never hands out a signed-out device's KeyPackages, and deletes them", async () => {
      const laptop = await f.login('frank');
      await registerKey(f.api, laptop);
      await upload(f.api, laptop, fakeKeyPackages(5), fakeKeyPackages(1)[0]);
      expect(await claim(f.api, grace, [laptop.deviceId])).toHaveLength(1);

      await ok(f.api('DELETE', `/api/devices/${laptop.deviceId}`, undefined, frank.accessToken));
      expect(await claim(f.api, grace, [laptop.deviceId])).toEqual([]);
      // Even what a cleanup missed (it is best effort) is never handed out.
      await f.server.node.kv.put(`d/kp/${laptop.deviceId}/00000000000000ff`, Uint8Array.of(1, 2, 3));
      await f.server.node.kv.put(`d/kplr/${laptop.deviceId}`, Uint8Array.of(4, 5, 6));
      expect(await claim(f.api, grace, [laptop.deviceId])).toEqual([]);
      await f.server.node.keyPackages.forget(laptop.deviceId);
      expect((await channelDevices(f.api, grace, privateChannel.id)).some((d) => d.deviceId === laptop.deviceId)).toBe(false);
      await expect.poll(async () => [...(await stored(`d/kp/${laptop.deviceId}/`)), ...(await stored(`d/kplr/${laptop.deviceId}`))], { timeout: 3_000 }).toEqual([]);

      // "Log out everywhere" too: every device of the user but none of anyone else's.
      const tablet = await f.login('frank');
      await registerKey(f.api, tablet);
      await upload(f.api, tablet, fakeKeyPackages(2));
      expect((await stock(f.api, grace)).stock).toBe(1);
      expect((await call(f, 'POST', '/api/auth/logout-everywhere', { token: tablet.accessToken })).status).toBe(204);
      expect(await claim(f.api, grace, [tablet.deviceId])).toEqual([]);
      await expect.poll(() => stored(`d/kp/${tablet.deviceId}/`), { timeout: 3_000 }).toEqual([]);
      expect((await stock(f.api, grace)).stock).toBe(1);
    });
  });
});

describe('KeyPackage claims are rate-limited per user', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ config: { rateLimits: { ...LOOPBACK_RATE_LIMITS, keyPackageClaimsPerUser: { perSec: 1 / 60, burst: 5 } } } });
  });
  afterAll(() => f?.close());

  it('counts every device asked for; past the budget, RateLimited with retryAfterMs; others still claim', async () => {
    const [alice, bob] = [await f.user('alice'), await f.user('bob')];
    await registerKey(f.api, bob);
    await upload(f.api, bob, fakeKeyPackages(10));
    const devices = [bob.deviceId, 1_000, 1_001, 1_002];
    expect(await claim(f.api, alice, devices)).toHaveLength(1); // 4 of 5
    const refused = await call<{ error: { kind: string; retryAfterMs: number } }>(f, 'POST', '/api/keypackages/claim', { body: { devices: [bob.deviceId, 1_000] }, token: alice.accessToken });
    expect(refused.status).toBe(429);
    expect(refused.body.error.kind).toBe('RateLimited');
    expect(refused.body.error.retryAfterMs).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await stock(f.api, bob)).stock).toBe(9); // the refused claim took nothing
    expect(await claim(f.api, alice, [bob.deviceId])).toHaveLength(1); // the 5th
    expect(await claim(f.api, bob, [bob.deviceId])).toHaveLength(1);
  });
});
