import { SignJWT, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { MichatError } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import { SIGNING_ALG, SigningKeys } from './signing-keys.ts';

/** Access tokens live this long; a refresh session mints new ones. */
export const ACCESS_TOKEN_TTL_MS = 15 * 60_000;
/** A rotated-out key verifies this much longer than a token lives, for clocks a little apart. */
const ROTATION_GRACE_MS = 60_000;
const ISSUER = 'michat';

/** What an access token says about its bearer. */
export interface AccessClaims {
  userId: number;
  username: string;
  orgId: number;
  deviceId: number;
  /** ms since the epoch. */
  expiresAt: number;
  /** A relay account's token (claim `rly`): see Access and docs/access.md. */
  relay?: true;
}

/**
 * Signs and verifies short-lived access tokens (EdDSA JWT, `kid` in the header). Only the
 * signature, issuer and expiry are checked here; whether the user and device still exist
 * and are not revoked is `Authenticator`'s job.
 */
export class TokenService {
  readonly keys: SigningKeys;
  private readonly clock: Clock;

  constructor(kv: KvStore, clock: Clock) {
    this.clock = clock;
    this.keys = new SigningKeys(kv, clock, ACCESS_TOKEN_TTL_MS + ROTATION_GRACE_MS);
  }

  async issue(claims: Omit<AccessClaims, 'expiresAt'>): Promise<{ token: string; expiresAt: number }> {
    const { kid, privateKey } = await this.keys.current();
    const now = this.clock.now();
    const expiresAt = now + ACCESS_TOKEN_TTL_MS;
    const token = await new SignJWT({ un: claims.username, org: claims.orgId, dev: claims.deviceId, ...(claims.relay ? { rly: 1 } : {}) })
      .setProtectedHeader({ alg: SIGNING_ALG, kid })
      .setIssuer(ISSUER)
      .setSubject(String(claims.userId))
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(privateKey);
    return { token, expiresAt: Math.floor(expiresAt / 1000) * 1000 };
  }

  /** The token's claims; throws MichatError(Unauthorized) for a malformed, forged, foreign-key or expired token. */
  async verify(token: string): Promise<AccessClaims> {
    // After parsing: a store that fails is Unavailable, not a reason to log the user out.
    const key = await this.keys.verificationKey(keyIdOf(token));
    if (!key) throw invalid();
    return verifiedClaims(token, key.publicKey, this.clock.now());
  }

  /** Public keys that verify tokens now (current and not yet retired previous), as a JWKS document. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: await this.keys.publicJwks() };
  }

  /** A new signing key for new tokens; tokens signed before keep verifying until they expire. Returns its kid. */
  rotateSigningKey(): Promise<string> {
    return this.keys.rotate();
  }

  /** Reads the key set again at next use (another node rotated it). */
  forgetSigningKeys(): void {
    this.keys.invalidate();
  }
}

/** The `kid` in a token's header; Unauthorized when there is none. */
export function keyIdOf(token: string): string {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw invalid();
  }
  if (kid === undefined) throw invalid();
  return kid;
}

export function invalid(): MichatError {
  return new MichatError('Unauthorized', 'invalid access token');
}

/** The claims of a token signed by `publicKey`; Unauthorized when forged, malformed or expired at `now`. */
export async function verifiedClaims(token: string, publicKey: CryptoKey, now: number): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, publicKey, { issuer: ISSUER, algorithms: [SIGNING_ALG], currentDate: new Date(now) });
    const userId = Number(payload.sub);
    const { un, org, dev, rly } = payload as { un?: unknown; org?: unknown; dev?: unknown; rly?: unknown };
    if (!Number.isInteger(userId) || typeof un !== 'string' || !Number.isInteger(org) || !Number.isInteger(dev) || typeof payload.exp !== 'number') {
      throw new Error('missing claims');
    }
    return { userId, username: un, orgId: org as number, deviceId: dev as number, expiresAt: payload.exp * 1000, ...(rly === 1 ? { relay: true as const } : {}) };
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_JWT_EXPIRED') throw new MichatError('Unauthorized', 'access token expired; refresh it');
    throw invalid();
  }
}
