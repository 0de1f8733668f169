import { describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { MemoryKvStore } from '../kv/memory-kv.ts';
import type { Clock } from '../ports/clock.ts';
import { jsonBytes } from '../util/json-bytes.ts';
import { authKeys } from './auth-keys.ts';
import { ACCESS_TOKEN_TTL_MS, TokenService } from './token-service.ts';

function manualClock(start = Date.UTC(2026, 10, 23)): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, setTimer: () => () => undefined, advance: (ms) => (now += ms) };
}

const ALICE = { userId: 7, username: 'alice', orgId: 1, deviceId: 3 };

describe('the signing key set', () => {
  it('takes over the single key of earlier versions: its tokens keep verifying, with the same kid', async () => {
    const kv = new MemoryKvStore();
    const clock = manualClock();
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = 'legacy-kid';
    await kv.put(authKeys.legacySigningKey(), jsonBytes({ kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } }));
    const issuedBefore = await new SignJWT({ un: 'alice', org: 1, dev: 3 })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuer('michat')
      .setSubject('7')
      .setIssuedAt(Math.floor(clock.now() / 1000))
      .setExpirationTime(Math.floor((clock.now() + 60_000) / 1000))
      .sign(privateKey);

    const tokens = new TokenService(kv, clock);
    await expect(tokens.verify(issuedBefore)).resolves.toMatchObject(ALICE);
    expect((await tokens.jwks()).keys.map((k) => k.kid)).toEqual([kid]);
    const fresh = await tokens.issue(ALICE);
    await expect(new TokenService(kv, clock).verify(fresh.token)).resolves.toMatchObject(ALICE);
  });

  it('retires a rotated-out key once every token it signed has expired', async () => {
    const kv = new MemoryKvStore();
    const clock = manualClock();
    const tokens = new TokenService(kv, clock);
    const first = (await tokens.jwks()).keys[0]!.kid;
    const second = await tokens.rotateSigningKey();
    expect((await tokens.jwks()).keys.map((k) => k.kid).sort()).toEqual([first, second].sort());

    clock.advance(ACCESS_TOKEN_TTL_MS + 2 * 60_000);
    expect((await tokens.jwks()).keys.map((k) => k.kid)).toEqual([second]);
    const third = await tokens.rotateSigningKey();
    expect((await tokens.jwks()).keys.map((k) => k.kid).sort()).toEqual([second, third].sort());
  });

  it('two nodes rotating at once both get their key in; neither overwrites the other', async () => {
    const kv = new MemoryKvStore();
    const clock = manualClock();
    const a = new TokenService(kv, clock);
    const b = new TokenService(kv, clock);
    await a.jwks();
    await b.jwks();
    const [ka, kb] = await Promise.all([a.rotateSigningKey(), b.rotateSigningKey()]);
    const fromA = await a.issue(ALICE);
    const fromB = await b.issue(ALICE);
    const fresh = new TokenService(kv, clock);
    await expect(fresh.verify(fromA.token)).resolves.toMatchObject(ALICE);
    await expect(fresh.verify(fromB.token)).resolves.toMatchObject(ALICE);
    const kids = (await fresh.jwks()).keys.map((k) => k.kid);
    expect(kids).toHaveLength(3); // the first key, and both rotated in
    expect(kids).toEqual(expect.arrayContaining([ka, kb]));
  });
});
