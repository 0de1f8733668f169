import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@michat/protocol';
import { MemoryKvStore, TokenService, systemClock } from '@michat/core';
import { RawClient } from '@michat/testkit';
import { startFixture, type Fixture } from './fixture.ts';
import { expectRefusedEverywhere, kidOf } from './sign-in-helpers.ts';

describe('signing keys rotate without logging anyone out', () => {
  let f: Fixture;
  let alice: Session;
  beforeAll(async () => {
    f = await startFixture();
    alice = await f.user('alice');
  });
  afterAll(() => f.close());

  it('old tokens keep working after a rotation, new tokens carry the new kid, and the JWKS lists both', async () => {
    const oldKid = kidOf(alice.accessToken);
    // Another node of the deployment: it has the key set loaded from before the rotation.
    const otherNode = new TokenService(f.server.node.kv, systemClock);
    await expect(otherNode.verify(alice.accessToken)).resolves.toMatchObject({ username: 'alice' });

    const newKid = await f.server.node.rotateSigningKey();
    expect(newKid).not.toBe(oldKid);

    expect((await f.api('GET', '/api/me', undefined, alice.accessToken)).status).toBe(200);
    const socket = await RawClient.connect(f.server.wsUrl, alice.accessToken);
    socket.close();

    const fresh = await f.login('alice');
    expect(kidOf(fresh.accessToken)).toBe(newKid);
    const refreshed = (await f.api<Session>('POST', '/api/auth/refresh', { refreshToken: alice.refreshToken })).body;
    expect(kidOf(refreshed.accessToken)).toBe(newKid);
    // The other node has never seen the new key: it looks it up instead of refusing.
    await expect(otherNode.verify(fresh.accessToken)).resolves.toMatchObject({ username: 'alice' });

    for (const path of ['/.well-known/jwks.json', '/api/auth/jwks']) {
      const jwks = await f.api<{ keys: Array<{ kid: string; d?: string }> }>('GET', path);
      expect(jwks.status).toBe(200);
      expect(jwks.body.keys.map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
      expect(jwks.body.keys.every((k) => k.d === undefined)).toBe(true); // public halves only
    }
    alice = refreshed;
  });

  it('a token signed by a key of another deployment is refused everywhere', async () => {
    const foreign = new TokenService(new MemoryKvStore(), systemClock);
    const forged = await foreign.issue({ userId: alice.userId, username: 'alice', orgId: alice.orgId, deviceId: alice.deviceId });
    await expectRefusedEverywhere(f, forged.token, alice.accessToken);
  });
});
