import { checkPresenceName, checkPresenceTtl, type PresenceStore } from './presence-store.ts';

export interface MemoryPresenceOptions {
  /** Milliseconds since the epoch; injected so tests can move time. */
  now?: () => number;
}

/** Sweeps never run more often than this many live entries would need. */
const MIN_SWEEP_THRESHOLD = 1_024;

/**
 * Presence in one process: channel → member → expiry time. Expired entries are dropped when
 * their channel is read or written, and a full sweep runs whenever the entry count has
 * doubled since the last one, so channels nobody looks at again cannot grow memory forever.
 */
export class MemoryPresenceStore implements PresenceStore {
  readonly #now: () => number;
  readonly #channels = new Map<string, Map<string, number>>();
  #entries = 0;
  #sweepAt = MIN_SWEEP_THRESHOLD;
  #closed = false;

  constructor(options: MemoryPresenceOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  set(channel: string, member: string, ttlMs: number): Promise<void> {
    return this.#run(() => {
      checkPresenceName('channel', channel);
      checkPresenceName('member', member);
      checkPresenceTtl(ttlMs);
      const now = this.#now();
      let members = this.#channels.get(channel);
      if (members === undefined) this.#channels.set(channel, (members = new Map()));
      if (!members.has(member)) this.#entries++;
      members.set(member, now + ttlMs);
      if (this.#entries >= this.#sweepAt) this.#sweep(now);
    });
  }

  remove(channel: string, member: string): Promise<boolean> {
    return this.#run(() => {
      checkPresenceName('channel', channel);
      checkPresenceName('member', member);
      const members = this.#live(channel, this.#now());
      if (members?.has(member) !== true) return false;
      members.delete(member);
      this.#entries--;
      if (members.size === 0) this.#channels.delete(channel);
      return true;
    });
  }

  list(channel: string): Promise<string[]> {
    return this.#run(() => {
      checkPresenceName('channel', channel);
      return [...(this.#live(channel, this.#now())?.keys() ?? [])].sort();
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
    return Promise.resolve();
  }

  /** The channel's members after dropping the expired ones (undefined when none are left). */
  #live(channel: string, now: number): Map<string, number> | undefined {
    const members = this.#channels.get(channel);
    if (members === undefined) return undefined;
    for (const [member, expiresAt] of members) {
      if (expiresAt <= now) {
        members.delete(member);
        this.#entries--;
      }
    }
    if (members.size > 0) return members;
    this.#channels.delete(channel);
    return undefined;
  }

  #sweep(now: number): void {
    for (const channel of [...this.#channels.keys()]) this.#live(channel, now);
    this.#sweepAt = Math.max(MIN_SWEEP_THRESHOLD, this.#entries * 2);
  }

  #run<T>(operation: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('presence store is closed'));
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
