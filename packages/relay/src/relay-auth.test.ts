import { describe, expect, it } from 'vitest';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { MemoryKvStore, OriginKeys, TokenService, type Clock } from '@michat/core';
import { OFFLINE_GRACE_MS, RelayAuth } from './relay-auth.ts';

/** An origin's token service and a relay's verifier of its keys, on one hand-driven clock. */
async function setup() {
  let now = Date.UTC(2026, 10, 23, 12);
  const clock: Clock = { now: () => now, setTimer: () => () => undefined };
  const origin = new TokenService(new MemoryKvStore(), clock);
  const keys = new OriginKeys({ jwksUrl: 'http://origin.invalid/.well-known/jwks.json', kv: new MemoryKvStore(), clock, fetch: async () => Response.json(await origin.jwks()) });
  let online = true;
  const auth = new RelayAuth({ keys, clock, online: () => online });
  const { token } = await origin.issue({ userId: 4, username: 'carol', orgId: 1, deviceId: 9 });
  return {
    auth,
    token,
    advance: (ms: number) => (now += ms),
    setOnline: (v: boolean) => (online = v),
  };
}

describe('RelayAuth: tokens verified offline with the origin’s keys, and the offline grace policy', () => {
  it('accepts a valid token with its claims', async () => {
    const { auth, token } = await setup();
    expect(await auth.verify(token)).toMatchObject({ userId: 4, username: 'carol', orgId: 1, deviceId: 9 });
  });

  it('with the parent reachable, an expired token is refused', async () => {
    const { auth, token, advance } = await setup();
    advance(16 * 60_000);
    await expect(auth.verify(token)).rejects.toMatchObject({ kind: 'Unauthorized' });
  });

  it('cut off from the parent, an expired token is good for the grace period, and no longer', async () => {
    const { auth, token, advance, setOnline } = await setup();
    setOnline(false);
    advance(2 * 3600_000);
    const claims = await auth.verify(token);
    expect(claims.userId).toBe(4);
    expect(claims.expiresAt).toBeGreaterThan(Date.UTC(2026, 10, 23, 14)); // the open socket stays usable
    advance(OFFLINE_GRACE_MS);
    await expect(auth.verify(token)).rejects.toMatchObject({ kind: 'Unauthorized' });
    // Back online, the same token is plainly expired.
    setOnline(true);
    await expect(auth.verify(token)).rejects.toMatchObject({ kind: 'Unauthorized' });
  });

  it('a token signed by any other key is refused, online or off', async () => {
    const { auth, token, setOnline } = await setup();
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ un: 'carol', org: 1, dev: 9 })
      .setProtectedHeader({ alg: 'EdDSA', kid: decodeProtectedHeader(token).kid! })
      .setIssuer('michat')
      .setSubject('4')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    await expect(auth.verify(forged)).rejects.toMatchObject({ kind: 'Unauthorized' });
    setOnline(false);
    await expect(auth.verify(forged)).rejects.toMatchObject({ kind: 'Unauthorized' });
  });
});
