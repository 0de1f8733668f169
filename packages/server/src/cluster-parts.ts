import type { Bus, PresenceStore } from '@michat/bus';
import { RedisBus, RedisPresenceStore } from '@michat/bus-redis';
import type { KvStore, Logger } from '@michat/core';
import { PostgresKvStore } from '@michat/store-postgres';
import type { ServerConfig } from './config.ts';

/** What a node shares with the others of its cluster: the store, and the bus with presence. */
export interface SharedParts {
  kv: KvStore;
  bus?: Bus;
  presence?: PresenceStore;
  /** Closes the bus and presence connections (the node closes the store). */
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL (migrations applied) and, when configured, Redis. Rejects with the
 * cause when either is unreachable at start; once running, both reconnect by themselves.
 */
export async function openSharedParts(config: ServerConfig & { databaseUrl: string }, logger: Logger): Promise<SharedParts> {
  const kv = await PostgresKvStore.open({
    url: config.databaseUrl,
    onConnectionError: (err) => logger.warn({ err }, 'PostgreSQL connection lost; reconnecting'),
  }).catch((e: unknown) => {
    throw new Error(`cannot open the database at ${hostOf(config.databaseUrl)}: ${reason(e)}`, { cause: e });
  });
  if (config.redisUrl === undefined) return { kv, close: async () => undefined };
  const redis = {
    url: config.redisUrl,
    prefix: config.clusterPrefix,
    onConnectionError: (err: Error) => logger.warn({ err: err.message }, 'Redis connection error; reconnecting'),
  };
  try {
    const bus = await RedisBus.connect({ ...redis, onHandlerError: (err) => logger.error({ err }, 'bus handler failed') });
    const presence = await RedisPresenceStore.connect(redis).catch(async (e: unknown) => {
      await bus.close();
      throw e;
    });
    return { kv, bus, presence, close: async () => void (await Promise.allSettled([bus.close(), presence.close()])) };
  } catch (e) {
    await kv.close();
    throw new Error(`cannot reach Redis at ${hostOf(config.redisUrl)}: ${reason(e)}`, { cause: e });
  }
}

/** host:port of a URL: never its password. */
function hostOf(url: string): string {
  return new URL(url).host;
}

function reason(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code === 'ECONNREFUSED' ? 'connection refused' : (err.message ?? String(e));
}
