import { importJWK, type JWK } from 'jose';
import type { Clock } from '../ports/clock.ts';
import type { KvStore } from '../ports/kv-store.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import { SIGNING_ALG } from './signing-keys.ts';
import { invalid, keyIdOf, verifiedClaims, type AccessClaims } from './token-service.ts';

/** Where the origin's last key set is kept, so a restart without the origin still verifies. */
const STORED_JWKS_KEY = 'origin/jwks';
/** The key set is fetched again this often in the background (rotations, retirements). */
export const ORIGIN_KEYS_REFRESH_MS = 60_000;
/** A token naming an unknown kid makes the verifier fetch at most this often. */
const UNKNOWN_KID_FETCH_MS = 5_000;
const FETCH_TIMEOUT_MS = 5_000;

export interface OriginKeysDeps {
  /** The origin's `/.well-known/jwks.json`. */
  jwksUrl: string;
  /** Where the key set is kept between restarts. */
  kv: KvStore;
  clock: Clock;
  fetch?: typeof fetch;
}

/**
 * Verifies access tokens of another michat deployment (the origin) without asking it: with
 * the public keys it publishes, fetched, kept in the store, and fetched again every minute
 * and when a token names an unknown key. It can verify but never mint. While the origin is
 * unreachable, the keys last fetched keep verifying (offline operation).
 */
export class OriginKeys {
  private readonly deps: OriginKeysDeps;
  private keys: Map<string, CryptoKey> | undefined;
  private fetchedAt = -Infinity;
  private unknownKidAt = -Infinity;
  private refreshing: Promise<boolean> | undefined;

  constructor(deps: OriginKeysDeps) {
    this.deps = deps;
  }

  /**
   * The token's claims; Unauthorized when not signed by the origin, malformed, or expired at
   * `at` (now by default; a relay cut off from the origin passes an earlier time, its grace).
   */
  async verify(token: string, at?: number): Promise<AccessClaims> {
    const kid = keyIdOf(token);
    const now = this.deps.clock.now();
    let keys = await this.loaded();
    if (now - this.fetchedAt > ORIGIN_KEYS_REFRESH_MS) void this.refresh();
    if (!keys.has(kid) && now - this.unknownKidAt > UNKNOWN_KID_FETCH_MS) {
      this.unknownKidAt = now;
      await this.refresh();
      keys = await this.loaded();
    }
    const key = keys.get(kid);
    if (!key) throw invalid();
    return verifiedClaims(token, key, at ?? now);
  }

  /** Fetches the origin's key set and keeps it; false (keeping the last one) when the origin does not answer. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.fetchKeys().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async fetchKeys(): Promise<boolean> {
    let jwks: { keys: JWK[] };
    try {
      const res = await (this.deps.fetch ?? fetch)(this.deps.jwksUrl, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) return false;
      jwks = (await res.json()) as { keys: JWK[] };
      if (!Array.isArray(jwks.keys)) return false;
    } catch {
      return false;
    }
    this.keys = await importKeys(jwks.keys);
    this.fetchedAt = this.deps.clock.now();
    await this.deps.kv.put(STORED_JWKS_KEY, jsonBytes(jwks));
    return true;
  }

  /** The keys in memory, else those stored, else (first start) fetched. */
  private async loaded(): Promise<Map<string, CryptoKey>> {
    if (this.keys) return this.keys;
    const stored = await this.deps.kv.get(STORED_JWKS_KEY);
    if (stored) {
      this.keys = await importKeys(parseJsonBytes<{ keys: JWK[] }>(stored).keys);
      return this.keys;
    }
    await this.refresh();
    return this.keys ?? new Map();
  }
}

async function importKeys(jwks: JWK[]): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  for (const jwk of jwks) {
    if (typeof jwk.kid !== 'string' || (jwk.alg !== undefined && jwk.alg !== SIGNING_ALG)) continue;
    try {
      keys.set(jwk.kid, (await importJWK(jwk, SIGNING_ALG)) as CryptoKey);
    } catch {
      // not a key we can use: skipped
    }
  }
  return keys;
}
