import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { MemoryKvStore, OriginKeys, type Clock } from '@michat/core';
import { startFixture, type Fixture } from './fixture.ts';

/** A relay's view of the origin's tokens: verified offline with the keys the origin publishes. */
describe('verifying an origin’s tokens with its published keys', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  const jwksUrl = () => `${f.server.url}/.well-known/jwks.json`;

  it('accepts the origin’s tokens with their claims, and refuses one signed by any other key, even under the origin’s kid', async () => {
    const keys = new OriginKeys({ jwksUrl: jwksUrl(), kv: new MemoryKvStore(), clock: { now: () => Date.now(), setTimer: () => () => undefined } });
    const claims = await keys.verify(f.admin.accessToken);
    expect(claims).toMatchObject({ userId: f.admin.userId, username: 'admin', deviceId: f.admin.deviceId });

    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const { kid } = decodeProtectedHeader(f.admin.accessToken);
    const forged = await new SignJWT({ un: 'admin', org: claims.orgId, dev: claims.deviceId })
      .setProtectedHeader({ alg: 'EdDSA', kid: kid! })
      .setIssuer('michat')
      .setSubject(String(claims.userId))
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    await expect(keys.verify(forged)).rejects.toMatchObject({ kind: 'Unauthorized' });
    await expect(keys.verify('not.a.token')).rejects.toMatchObject({ kind: 'Unauthorized' });
  });

  it('refuses an expired token, and picks up a rotated key by itself', async () => {
    let now = Date.now();
    const clock: Clock = { now: () => now, setTimer: () => () => undefined };
    const keys = new OriginKeys({ jwksUrl: jwksUrl(), kv: new MemoryKvStore(), clock });
    await keys.verify(f.admin.accessToken);
    now += 16 * 60_000;
    await expect(keys.verify(f.admin.accessToken)).rejects.toMatchObject({ kind: 'Unauthorized', message: expect.stringMatching(/expired/) });
    now = Date.now();

    await f.server.node.rotateSigningKey();
    const fresh = await f.login('admin');
    expect(decodeProtectedHeader(fresh.accessToken).kid).not.toBe(decodeProtectedHeader(f.admin.accessToken).kid);
    expect((await keys.verify(fresh.accessToken)).userId).toBe(f.admin.userId);
  });

  it('keeps verifying from the stored keys when the origin is gone (a restart offline)', async () => {
    const kv = new MemoryKvStore();
    const clock: Clock = { now: () => Date.now(), setTimer: () => () => undefined };
    const token = (await f.login('admin')).accessToken;
    await new OriginKeys({ jwksUrl: jwksUrl(), kv, clock }).verify(token);
    // A new verifier on the same store, and an origin that cannot be reached.
    const offline = new OriginKeys({ jwksUrl: 'http://127.0.0.1:1/.well-known/jwks.json', kv, clock });
    expect((await offline.verify(token)).userId).toBe(f.admin.userId);
  });
});
