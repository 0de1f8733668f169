import type { ErrorKind, VectorEntries } from '@michat/protocol';

/**
 * Where a client keeps what it knows, so an app shows its history at once after a reload,
 * works offline and never reuses a name. One store belongs to one account on one device
 * (browser profile, CLI profile); every tab or client instance over it shares it.
 * Adapters: MemoryStore (tests, throwaway clients), IndexedDbStore (browsers) and FileStore
 * (`@michat/client/node`). All of them pass one conformance suite.
 */
export interface LocalStore {
  // ---- objects: the channels' named, immutable objects --------------------------------
  /** Adds objects of a channel. A name already held is kept as it is (first write wins). */
  addObjects(channel: string, objects: readonly StoredObject[]): Promise<void>;
  /** The newest `limit` objects (default: all) positioned before `before` (default: the end), oldest first. */
  objects(channel: string, range?: ObjectRange): Promise<StoredObject[]>;
  /** Keys of the channels holding at least one object. */
  channels(): Promise<string[]>;

  // ---- version vectors, per subscription (`<channel key>/<bits>`) ----------------------
  vector(subscription: string): Promise<VectorEntries | undefined>;
  /** Replaces the subscription's vector; it must only claim objects already added. */
  setVector(subscription: string, entries: VectorEntries): Promise<void>;
  vectors(): Promise<Record<string, VectorEntries>>;

  // ---- sequence numbers per (device, channel): the names this device hands out ----------
  /**
   * The next number of (device, channel): above every number handed out before and above
   * `floor`. Persisted before it returns, and atomic for every user of the store (tabs,
   * client instances), so two of them never get the same number.
   */
  takeSeq(device: number, channel: string, floor?: number): Promise<number>;
  /** Last number handed out per `<device>/<channel>`. */
  seqCounters(): Promise<Record<string, number>>;
  /** Raises counters to at least these values (import: counters only ever grow). */
  raiseSeqs(counters: Record<string, number>): Promise<void>;

  // ---- outbox: named objects written here and not yet acknowledged ----------------------
  /** Every entry, in queue order (queuedAt, then name). */
  outbox(): Promise<OutboxEntry[]>;
  /** Adds (or replaces) the entry with this localId. */
  putOutbox(entry: OutboxEntry): Promise<void>;
  /**
   * Replaces the entry only while it still holds `expectedBytes` (compare-and-swap, atomic
   * across tabs); returns the entry stored afterwards: `next`, another tab's version, or
   * undefined when it is gone (acknowledged or discarded meanwhile).
   */
  swapOutbox(localId: string, expectedBytes: Uint8Array, next: OutboxEntry): Promise<OutboxEntry | undefined>;
  removeOutbox(localId: string): Promise<void>;

  // ---- small records: profile, directory snapshot, device owners, read marks ------------
  /** A JSON-compatible value (see store-records.ts for the keys in use). */
  getRecord<T>(key: string): Promise<T | undefined>;
  setRecord(key: string, value: unknown): Promise<void>;
  deleteRecord(key: string): Promise<void>;
  /** Every record whose key starts with `prefix`, sorted by key. */
  records(prefix: string): Promise<Array<[key: string, value: unknown]>>;

  // ---- lifecycle ------------------------------------------------------------------------
  /** Runs `fn` while no other user of this store runs one under the same name (tabs included). */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Forgets everything (logout from this device, or before an import that replaces). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** One object as stored: the exact bytes, with what orders and identifies it. */
export interface StoredObject {
  /** The object's name, 32 hex digits. */
  name: string;
  /** Display position (created, device, seq) as a history cursor: sorts as a string. */
  position: string;
  /** The encoded object, unchanged. */
  bytes: Uint8Array;
  /** Identity the app gave it while it was queued here (kept so a UI key survives the ack). */
  localId?: string;
}

export interface ObjectRange {
  /** Exclusive upper bound: a position (cursor). */
  before?: string;
  limit?: number;
}

export type OutboxState = 'pending' | 'failed';

/** A named object written on this device and not yet acknowledged by the server. */
export interface OutboxEntry {
  /** Stable identity of the message here, kept when it is renumbered. */
  localId: string;
  /** Channel key (18 hex digits). */
  channel: string;
  /** Current name, 32 hex digits. */
  name: string;
  /** The exact bytes to (re)send: every retry sends these, so the server stores them once. */
  bytes: Uint8Array;
  /**
   * The payload to seal (base64) for an end-to-end encrypted message: `bytes` then holds the
   * unsealed object, never sent, until `sealed` (kept to seal again if it is renumbered).
   */
  plain?: string;
  sealed?: boolean;
  /** Local time it was queued: the outbox's order. */
  queuedAt: number;
  /** `failed`: the server refused it for good; it waits for retry or discard. */
  state: OutboxState;
  error?: { kind: ErrorKind; message: string };
  /** Id of the outbox (tab) that queued it, so other tabs leave it to that one while it runs. */
  owner?: string;
}

/** Sort order of the outbox. */
export function compareOutbox(a: OutboxEntry, b: OutboxEntry): number {
  return a.queuedAt - b.queuedAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Key of a seq counter. */
export function seqCounterKey(device: number, channel: string): string {
  return `${device}/${channel}`;
}
