/**
 * The KV port: an ordered map from short string keys to byte values. Keys are ASCII
 * (compared byte-wise, which for ASCII is JS string order), at most MAX_KEY_BYTES long;
 * values at most MAX_VALUE_BYTES. Every adapter passes `runKvStoreTests` in testkit.
 *
 * Durability: a write's promise resolves only after the write is committed to the
 * adapter's durable medium (for SQLite: the WAL commit of the batch that holds it).
 */
export const MAX_KEY_BYTES = 512;
export const MAX_VALUE_BYTES = 64 * 1024 + 1024;

export interface KvListOptions {
  /** Inclusive lower bound (a full key); keys below it are skipped. */
  start?: string;
  /** Exclusive upper bound (a full key). */
  end?: string;
  /** At most this many entries. */
  limit?: number;
  /** Descending key order. */
  reverse?: boolean;
}

export type KvEntry = [key: string, value: Uint8Array];

export interface KvStore {
  /** The value at `key`, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Sets `key` to `value`, replacing any earlier value. */
  put(key: string, value: Uint8Array): Promise<void>;
  /**
   * Sets `key` to `value` only if `key` is absent, and then, in the same atomic step, also
   * puts every entry of `alsoPut`. Returns undefined when it wrote, else the existing value
   * (and writes nothing). Exactly one of many concurrent callers for one key wins.
   */
  putIfAbsent(key: string, value: Uint8Array, alsoPut?: readonly KvEntry[]): Promise<Uint8Array | undefined>;
  /** Removes `key`; returns whether it existed. */
  delete(key: string): Promise<boolean>;
  /** Removes `key` and returns the value it had: one caller wins each value (one-time keys). */
  take(key: string): Promise<Uint8Array | undefined>;
  /** Entries whose keys start with `prefix` and lie in [start, end), in key order. */
  list(prefix: string, options?: KvListOptions): Promise<KvEntry[]>;
  /** Releases resources; later calls fail. Idempotent. */
  close?(): Promise<void>;
}

/** Thrown by adapters for keys or values over the limits, or keys that are not ASCII. */
export class KvLimitError extends RangeError {}

/**
 * Thrown by adapters when the store cannot be reached or did not answer (a database
 * restarting, a network break, a timeout). The operation may be retried: for a write, its
 * outcome is unknown, and every write michat makes is idempotent or checked on retry.
 * Entry points answer it with the typed, retryable `Unavailable` error.
 */
export class KvUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KvUnavailableError';
  }
}

/** How long a client should wait before retrying after the store was unavailable. */
export const STORE_RETRY_AFTER_MS = 1_000;

export function checkKey(key: string): void {
  if (key.length === 0 || key.length > MAX_KEY_BYTES || !/^[\x20-\x7e]*$/.test(key)) {
    throw new KvLimitError(`KV key must be 1..${MAX_KEY_BYTES} printable ASCII characters`);
  }
}

/** Validates a whole putIfAbsent before anything is written (the write is all or nothing). */
export function checkPutIfAbsent(key: string, value: Uint8Array, alsoPut: readonly KvEntry[]): void {
  checkKey(key);
  checkValue(value);
  for (const [extraKey, extraValue] of alsoPut) {
    checkKey(extraKey);
    checkValue(extraValue);
  }
}

export function checkValue(value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new KvLimitError('KV value must be a Uint8Array');
  if (value.length > MAX_VALUE_BYTES) throw new KvLimitError(`KV value is ${value.length} bytes; the limit is ${MAX_VALUE_BYTES}`);
}
