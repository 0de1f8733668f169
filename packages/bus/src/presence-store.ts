/**
 * The presence port: who is in a channel right now, kept alive by heartbeats. Shared by
 * the nodes of a deployment, so a node can list members connected to other nodes. Every
 * adapter passes `runPresenceStoreTests` in testkit.
 *
 * An entry lives until its TTL runs out unless set() renews it; a node that dies simply
 * stops renewing, and its members disappear within one TTL. Expiry uses one clock per
 * store (Redis's own clock for Redis), never the clocks of the nodes.
 */
export interface PresenceStore {
  /** Marks `member` present in `channel` for `ttlMs` from now, replacing any earlier expiry. */
  set(channel: string, member: string, ttlMs: number): Promise<void>;
  /** Removes `member` from `channel` now; whether it was present (and unexpired). */
  remove(channel: string, member: string): Promise<boolean>;
  /** The unexpired members of `channel`, in ascending (code unit) order. */
  list(channel: string): Promise<string[]>;
  /** Releases connections; later calls reject. Idempotent. */
  close?(): Promise<void>;
}

export const MAX_PRESENCE_NAME_LENGTH = 512;
/** Presence is for heartbeats (seconds); a day is far past any sane TTL and catches unit mistakes. */
export const MAX_PRESENCE_TTL_MS = 24 * 60 * 60 * 1000;

/** Thrown (as a rejection) for bad channel or member names or TTLs. */
export class PresenceLimitError extends RangeError {}

export function checkPresenceName(kind: 'channel' | 'member', name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_PRESENCE_NAME_LENGTH) {
    throw new PresenceLimitError(`presence ${kind} must be 1..${MAX_PRESENCE_NAME_LENGTH} characters`);
  }
}

export function checkPresenceTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_PRESENCE_TTL_MS) {
    throw new PresenceLimitError(`presence TTL must be an integer number of milliseconds in 1..${MAX_PRESENCE_TTL_MS}, got ${ttlMs}`);
  }
}
