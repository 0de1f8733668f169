import type { Redis } from 'ioredis';
import { checkPresenceName, checkPresenceTtl, type PresenceStore } from '@michat/bus';
import { closeRedis, openRedis, type RedisConnectionOptions } from './redis-connection.ts';

export interface RedisPresenceOptions extends RedisConnectionOptions {
  /** Put before every key: one prefix per deployment (and per test). */
  prefix: string;
}

/** Redis's clock in milliseconds, so that expiry never depends on which node asked. */
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * KEYS[1] = channel's sorted set, ARGV = member, ttl ms. The score is the expiry time.
 * Expired members are dropped, and the key itself expires with its longest-lived member,
 * so a channel that everyone left silently costs nothing.
 */
const SET_SCRIPT = `${NOW_MS}
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`;

/** KEYS[1] = channel's sorted set. Members whose expiry is still ahead. Read-only. */
const LIST_SCRIPT = `${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%.0f', now), '+inf')
`;

/** KEYS[1] = channel's sorted set, ARGV = member. 1 if it was there unexpired. */
const REMOVE_SCRIPT = `${NOW_MS}
local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
if expires and tonumber(expires) > now then return 1 end
return 0
`;

/**
 * Presence on Redis: one sorted set per channel (`<prefix>presence/<channel>`), member →
 * expiry time on Redis's clock. Each operation is one Lua script, so it is atomic and
 * costs one round trip.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly #client: Redis;
  readonly #prefix: string;
  #closed = false;
  #closing: Promise<void> | undefined;

  static async connect(options: RedisPresenceOptions): Promise<RedisPresenceStore> {
    return new RedisPresenceStore(await openRedis(options, 'michat-presence'), options.prefix);
  }

  private constructor(client: Redis, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async set(channel: string, member: string, ttlMs: number): Promise<void> {
    this.#checkOpen();
    checkPresenceName('channel', channel);
    checkPresenceName('member', member);
    checkPresenceTtl(ttlMs);
    await this.#client.eval(SET_SCRIPT, 1, this.#key(channel), member, String(ttlMs));
  }

  async remove(channel: string, member: string): Promise<boolean> {
    this.#checkOpen();
    checkPresenceName('channel', channel);
    checkPresenceName('member', member);
    return (await this.#client.eval(REMOVE_SCRIPT, 1, this.#key(channel), member)) === 1;
  }

  async list(channel: string): Promise<string[]> {
    this.#checkOpen();
    checkPresenceName('channel', channel);
    const members = (await this.#client.eval(LIST_SCRIPT, 1, this.#key(channel))) as string[];
    return members.sort();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await closeRedis(this.#client);
    })();
    return this.#closing;
  }

  #key(channel: string): string {
    return `${this.#prefix}presence/${channel}`;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('presence store is closed');
  }
}
