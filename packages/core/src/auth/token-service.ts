import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { MichatError } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import { dirKeys } from '../directory/records.ts';

/** Access tokens live this long; a refresh session mints new ones. */
export const ACCESS_TOKEN_TTL_MS = 15 * 60_000;
const ALG = 'EdDSA';
const ISSUER = 'michat';

/** What an access token says about its bearer. */
export interface AccessClaims {
  userId: number;
  username: string;
  orgId: number;
  deviceId: number;
  /** ms since the epoch. */
  expiresAt: number;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * Signs and verifies short-lived access tokens (EdDSA JWT). The signing key is made on first
 * use and kept in the store, so every node of a deployment shares it and restarts keep
 * sessions valid.
 */
export class TokenService {
  private readonly kv: KvStore;
  private readonly clock: Clock;
  private key: Promise<{ kid: string; privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK }> | undefined;

  constructor(kv: KvStore, clock: Clock) {
    this.kv = kv;
    this.clock = clock;
  }

  async issue(claims: Omit<AccessClaims, 'expiresAt'>): Promise<{ token: string; expiresAt: number }> {
    const { kid, privateKey } = await this.signingKey();
    const now = this.clock.now();
    const expiresAt = now + ACCESS_TOKEN_TTL_MS;
    const token = await new SignJWT({ un: claims.username, org: claims.orgId, dev: claims.deviceId })
      .setProtectedHeader({ alg: ALG, kid })
      .setIssuer(ISSUER)
      .setSubject(String(claims.userId))
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(privateKey);
    return { token, expiresAt: Math.floor(expiresAt / 1000) * 1000 };
  }

  /** The token's claims; throws MichatError(Unauthorized) for a bad, forged or expired token. */
  async verify(token: string): Promise<AccessClaims> {
    const { publicKey } = await this.signingKey();
    try {
      const { payload } = await jwtVerify(token, publicKey, { issuer: ISSUER, algorithms: [ALG], currentDate: new Date(this.clock.now()) });
      const userId = Number(payload.sub);
      const { un, org, dev } = payload as { un?: unknown; org?: unknown; dev?: unknown };
      if (!Number.isInteger(userId) || typeof un !== 'string' || !Number.isInteger(org) || !Number.isInteger(dev) || typeof payload.exp !== 'number') {
        throw new Error('missing claims');
      }
      return { userId, username: un, orgId: org as number, deviceId: dev as number, expiresAt: payload.exp * 1000 };
    } catch (e) {
      const expired = (e as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new MichatError('Unauthorized', expired ? 'access token expired; refresh it' : 'invalid access token');
    }
  }

  /** Public keys as a JWKS document, for relays and edge workers that verify offline. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const { publicJwk } = await this.signingKey();
    return { keys: [publicJwk] };
  }

  private signingKey() {
    this.key ??= this.loadOrCreateKey();
    this.key.catch(() => (this.key = undefined));
    return this.key;
  }

  private async loadOrCreateKey() {
    let stored = await this.kv.get(dirKeys.signingKey());
    if (!stored) {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
      const kid = crypto.randomUUID();
      const candidate: StoredKey = { kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' } };
      // Several nodes may race on first start: the first key stored wins and all use it.
      stored = (await this.kv.putIfAbsent(dirKeys.signingKey(), jsonBytes(candidate))) ?? jsonBytes(candidate);
    }
    const key = parseJsonBytes<StoredKey>(stored);
    return {
      kid: key.kid,
      privateKey: (await importJWK(key.privateJwk, ALG)) as CryptoKey,
      publicKey: (await importJWK(key.publicJwk, ALG)) as CryptoKey,
      publicJwk: key.publicJwk,
    };
  }
}
