import { channelFromKey, channelKey, isExpiredAt, type Prefix } from '@michat/protocol';
import type { Clock, KvEntry, KvStore, Logger } from '@michat/core';

const DIRTY = 'relay/dirty/';
const USED = 'relay/used/';
const EMPTY = new Uint8Array(0);
/** Keys a channel has in the store (keys.ts): objects, time and thread indexes, stream state. */
const CHANNEL_KEYS = (hex: string) => [`o/${hex}`, `t/${hex}/`, `r/${hex}/`, `v/${hex}/`, `${USED}${hex}`];
/** Deletes per store call while evicting. */
const DELETE_PAGE = 500;

export interface RelayCacheDeps {
  kv: KvStore;
  clock: Clock;
  logger: Logger;
  /** Evict channels, least recently used first, while the objects held exceed this (undefined: never). */
  maxBytes: number | undefined;
  /** Whether the channel's room is loaded or being loaded (in use: never evicted). */
  inUse(channel: Prefix): boolean;
}

/**
 * The relay's bookkeeping of its cache:
 * - **dirty channels**: a local publish marks its channel in the same commit (`relay/dirty/`);
 *   the mark goes once an exchange found the parent lacking nothing. Dirty channels are
 *   followed at start and after every reconnect, so what waits for upstream is sent even if
 *   nobody uses the channel again, and they are never evicted;
 * - **expiry**: expired objects are deleted from the store at each sweep;
 * - **size**: past `maxBytes` of objects, whole channels are evicted, least recently used
 *   first, among those neither in use nor dirty. An evicted channel is fetched again from
 *   upstream (with an empty vector) the next time someone uses it.
 */
export class RelayCache {
  private readonly deps: RelayCacheDeps;
  private readonly dirty = new Set<string>();
  private readonly used = new Map<string, number>();
  private readonly evicting = new Map<string, Promise<void>>();

  private constructor(deps: RelayCacheDeps) {
    this.deps = deps;
  }

  static async open(deps: RelayCacheDeps): Promise<RelayCache> {
    const cache = new RelayCache(deps);
    for (const [key] of await deps.kv.list(DIRTY)) cache.dirty.add(key.slice(DIRTY.length));
    for (const [key, value] of await deps.kv.list(USED)) cache.used.set(key.slice(USED.length), Number(new TextDecoder().decode(value)));
    return cache;
  }

  /** The entry that marks a channel dirty, written with a local publish. */
  dirtyEntry(channel: Prefix): KvEntry {
    this.dirty.add(channelKey(channel.name));
    return [DIRTY + channelKey(channel.name), EMPTY];
  }

  isDirty(channel: Prefix): boolean {
    return this.dirty.has(channelKey(channel.name));
  }

  /** Channels holding something the parent may lack. */
  dirtyChannels(): Prefix[] {
    return [...this.dirty].map((hex) => channelFromKey(hex)!).filter(Boolean);
  }

  /** The parent holds everything the relay held at `digest`; clean unless the channel changed since. */
  async clean(channel: Prefix, digestThen: string, digestNow: () => Promise<string>): Promise<void> {
    const hex = channelKey(channel.name);
    if (!this.dirty.has(hex) || (await digestNow()) !== digestThen) return;
    this.dirty.delete(hex);
    await this.deps.kv.delete(DIRTY + hex);
  }

  /** The channel is in use now (for least-recently-used eviction). */
  touch(channel: Prefix): void {
    this.used.set(channelKey(channel.name), this.deps.clock.now());
  }

  /** Resolves once an eviction of the channel under way is over (a room loads after it). */
  settled(channel: Prefix): Promise<void> {
    return this.evicting.get(channelKey(channel.name)) ?? Promise.resolve();
  }

  /**
   * Deletes expired objects, and evicts channels while over the size bound. One pass over
   * the stored objects: its cost grows with the cache (run it every minute or so).
   */
  async sweep(): Promise<{ bytes: number; expired: number; evicted: string[] }> {
    const now = this.deps.clock.now();
    const sizes = new Map<string, number>();
    const expired: string[] = [];
    let bytes = 0;
    let from = 'o/';
    for (;;) {
      const page = await this.deps.kv.list('o/', { start: from, limit: 1_000 });
      for (const [key, value] of page) {
        if (isExpiredAt(value, now)) {
          expired.push(key);
          continue;
        }
        const hex = key.slice(2, 20);
        sizes.set(hex, (sizes.get(hex) ?? 0) + value.length);
        bytes += value.length;
      }
      if (page.length < 1_000) break;
      from = `${page[page.length - 1]![0]} `;
    }
    for (const key of expired) await this.deps.kv.delete(key);
    await this.saveUse();
    const evicted: string[] = [];
    const max = this.deps.maxBytes;
    if (max !== undefined && bytes > max) {
      const candidates = [...sizes.keys()].sort((a, b) => (this.used.get(a) ?? 0) - (this.used.get(b) ?? 0));
      for (const hex of candidates) {
        if (bytes <= max) break;
        const channel = channelFromKey(hex);
        if (!channel || this.dirty.has(hex) || this.deps.inUse(channel) || this.evicting.has(hex)) continue;
        await this.evict(hex);
        bytes -= sizes.get(hex)!;
        evicted.push(hex);
      }
      if (evicted.length) this.deps.logger.info({ evicted: evicted.length, bytes, maxBytes: max }, 'relay cache over its bound: least recently used channels evicted');
    }
    return { bytes, expired: expired.length, evicted };
  }

  private async evict(hex: string): Promise<void> {
    const done = (async () => {
      for (const prefix of CHANNEL_KEYS(hex)) {
        for (;;) {
          const page = await this.deps.kv.list(prefix, { limit: DELETE_PAGE });
          for (const [key] of page) await this.deps.kv.delete(key);
          if (page.length < DELETE_PAGE) break;
        }
      }
      this.used.delete(hex);
    })();
    this.evicting.set(hex, done);
    try {
      await done;
    } finally {
      this.evicting.delete(hex);
    }
  }

  private async saveUse(): Promise<void> {
    for (const [hex, at] of this.used) await this.deps.kv.put(USED + hex, new TextEncoder().encode(String(at)));
  }
}
