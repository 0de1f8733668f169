import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import { Mutex } from '../util/mutex.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import { authKeys } from './auth-keys.ts';

export const SIGNING_ALG = 'EdDSA';
/** A node re-reads the key set this often, so it signs with a key another node rotated in. */
export const KEY_SET_RELOAD_MS = 60_000;
/** A token naming an unknown kid makes the node re-read the key set at most this often. */
const UNKNOWN_KID_RELOAD_MS = 5_000;
/** Retired keys kept (public half only) for the record; older ones are dropped. */
const KEEP_RETIRED = 4;
/** Key set versions kept in the store; older ones are deleted after a rotation. */
const KEEP_VERSIONS = 3;

/** current signs; previous only verifies, until `retireAfter`; retired does neither. */
export type SigningKeyStatus = 'current' | 'previous' | 'retired';

interface StoredKey {
  kid: string;
  created: number;
  status: SigningKeyStatus;
  /** For previous keys: when the last token it signed has expired. */
  retireAfter?: number;
  /** Only the current key keeps its private half. */
  privateJwk?: JWK;
  publicJwk: JWK;
}

interface StoredKeySet {
  version: number;
  keys: StoredKey[];
}

export interface VerificationKey {
  kid: string;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

interface LoadedSet {
  stored: StoredKeySet;
  current: VerificationKey & { privateKey: CryptoKey };
  /** Keys that verify now: the current one and previous ones not yet retired. */
  verifying: Map<string, VerificationKey & { retireAfter?: number }>;
  loadedAt: number;
}

/**
 * The signing key set, kept in the store so every node shares it. Each version of the set
 * is a new key written with `putIfAbsent`: two nodes rotating at once cannot overwrite each
 * other (the loser re-reads and rotates on top). Rotation never logs anyone out: the old key
 * keeps verifying for `previousLifetimeMs` (the longest a token it signed can live).
 */
export class SigningKeys {
  private readonly kv: KvStore;
  private readonly clock: Clock;
  private readonly previousLifetimeMs: number;
  private readonly rotations = new Mutex();
  private set: Promise<LoadedSet> | undefined;
  private lastUnknownKidReload = 0;

  constructor(kv: KvStore, clock: Clock, previousLifetimeMs: number) {
    this.kv = kv;
    this.clock = clock;
    this.previousLifetimeMs = previousLifetimeMs;
  }

  /** The key that signs new tokens. */
  async current(): Promise<LoadedSet['current']> {
    let set = await this.loaded();
    if (this.clock.now() - set.loadedAt > KEY_SET_RELOAD_MS) set = await this.reload();
    return set.current;
  }

  /** The key that verifies tokens carrying `kid`, or undefined (unknown, foreign or retired). */
  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    let set = await this.loaded();
    const now = this.clock.now();
    if (!set.stored.keys.some((k) => k.kid === kid) && now - this.lastUnknownKidReload > UNKNOWN_KID_RELOAD_MS) {
      // Another node may have rotated: look once, but not for every forged token.
      this.lastUnknownKidReload = now;
      set = await this.reload();
    }
    const key = set.verifying.get(kid);
    return key && (key.retireAfter === undefined || key.retireAfter > now) ? key : undefined;
  }

  /** Public halves of every key that verifies now (what relays and edge workers need). */
  async publicJwks(): Promise<JWK[]> {
    const set = await this.loaded();
    const now = this.clock.now();
    return [...set.verifying.values()].filter((k) => k.retireAfter === undefined || k.retireAfter > now).map((k) => k.publicJwk);
  }

  /** Makes a new current key; the old one verifies until its tokens have expired. Returns the new kid. */
  rotate(): Promise<string> {
    return this.rotations.run(async () => {
      for (;;) {
        const latest = (await this.readLatest()) ?? (await this.reload()).stored;
        const next: StoredKeySet = { version: latest.version + 1, keys: [await newKey(this.clock.now()), ...this.demote(latest.keys)] };
        if ((await this.kv.putIfAbsent(authKeys.keySet(next.version), jsonBytes(next))) === undefined) {
          this.set = Promise.resolve(await this.importSet(next));
          await this.pruneVersions(next.version);
          return next.keys[0]!.kid;
        }
        // Another node rotated first: rotate on top of its set.
      }
    });
  }

  /** Forgets the cached set (a bus tells this node that another one rotated). */
  invalidate(): void {
    this.set = undefined;
  }

  private loaded(): Promise<LoadedSet> {
    if (!this.set) {
      const loading = this.loadOrCreate();
      this.set = loading;
      loading.catch(() => {
        if (this.set === loading) this.set = undefined; // the next call tries again
      });
    }
    return this.set;
  }

  /** Re-reads the set; when the store fails, goes on with the set already loaded (if any). */
  private async reload(): Promise<LoadedSet> {
    const previous = this.set;
    const loading = this.loadOrCreate();
    this.set = loading;
    try {
      return await loading;
    } catch (e) {
      const fallback = previous && (await previous.catch(() => undefined));
      if (!fallback) {
        if (this.set === loading) this.set = undefined;
        throw e;
      }
      if (this.set === loading) this.set = previous;
      return fallback;
    }
  }

  private async loadOrCreate(): Promise<LoadedSet> {
    const latest = await this.readLatest();
    if (latest) return this.importSet(latest);
    const first: StoredKeySet = { version: 1, keys: [(await this.legacyKey()) ?? (await newKey(this.clock.now()))] };
    // Several nodes may race on first start: the first set stored wins and all use it.
    const existing = await this.kv.putIfAbsent(authKeys.keySet(1), jsonBytes(first));
    return this.importSet(existing ? parseJsonBytes<StoredKeySet>(existing) : first);
  }

  private async readLatest(): Promise<StoredKeySet | undefined> {
    const [row] = await this.kv.list(authKeys.keySets(), { reverse: true, limit: 1 });
    return row ? parseJsonBytes<StoredKeySet>(row[1]) : undefined;
  }

  /** The one key of earlier versions (`d/keys/signing`) becomes the first current key, kid kept. */
  private async legacyKey(): Promise<StoredKey | undefined> {
    const raw = await this.kv.get(authKeys.legacySigningKey());
    if (!raw) return undefined;
    const legacy = parseJsonBytes<{ kid: string; privateJwk: JWK; publicJwk: JWK }>(raw);
    return { kid: legacy.kid, created: this.clock.now(), status: 'current', privateJwk: legacy.privateJwk, publicJwk: legacy.publicJwk };
  }

  /** The keys after a rotation: current → previous (private half dropped), expired previous → retired. */
  private demote(keys: StoredKey[]): StoredKey[] {
    const now = this.clock.now();
    const out = keys.map((k): StoredKey => {
      if (k.status === 'current') return { kid: k.kid, created: k.created, status: 'previous', retireAfter: now + this.previousLifetimeMs, publicJwk: k.publicJwk };
      if (k.status === 'previous' && (k.retireAfter ?? 0) <= now) return { kid: k.kid, created: k.created, status: 'retired', publicJwk: k.publicJwk };
      return k;
    });
    const retired = out.filter((k) => k.status === 'retired').slice(0, KEEP_RETIRED);
    return [...out.filter((k) => k.status !== 'retired'), ...retired];
  }

  private async pruneVersions(latest: number): Promise<void> {
    if (latest <= KEEP_VERSIONS) return;
    for (const [key] of await this.kv.list(authKeys.keySets(), { end: authKeys.keySet(latest - KEEP_VERSIONS + 1) })) await this.kv.delete(key);
  }

  private async importSet(stored: StoredKeySet): Promise<LoadedSet> {
    const currentKey = stored.keys.find((k) => k.status === 'current' && k.privateJwk);
    if (!currentKey?.privateJwk) throw new Error(`signing key set ${stored.version} has no current key`);
    const verifying: LoadedSet['verifying'] = new Map();
    for (const k of stored.keys) {
      if (k.status === 'retired') continue;
      const publicKey = (await importJWK(k.publicJwk, SIGNING_ALG)) as CryptoKey;
      verifying.set(k.kid, { kid: k.kid, publicKey, publicJwk: k.publicJwk, ...(k.retireAfter !== undefined ? { retireAfter: k.retireAfter } : {}) });
    }
    const privateKey = (await importJWK(currentKey.privateJwk, SIGNING_ALG)) as CryptoKey;
    return { stored, current: { ...verifying.get(currentKey.kid)!, privateKey }, verifying, loadedAt: this.clock.now() };
  }
}

async function newKey(now: number): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const kid = crypto.randomUUID();
  return {
    kid,
    created: now,
    status: 'current',
    privateJwk: await exportJWK(privateKey),
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' },
  };
}
