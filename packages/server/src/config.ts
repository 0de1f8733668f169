import type { ConnectionConfig, RateLimitConfig } from '@michat/core';
import type { Discovery } from '@michat/discovery';
import { rateLimitsFromEnv } from './rate-spec.ts';

export interface ServerConfig {
  host: string;
  port: number;
  /** Data directory for the embedded SQLite store; undefined keeps everything in memory. */
  dataDir: string | undefined;
  /** PostgreSQL URL: the store every node of a cluster shares (instead of the data directory). */
  databaseUrl: string | undefined;
  /** Redis URL: the bus and presence every node of a cluster shares (needs databaseUrl). */
  redisUrl: string | undefined;
  /** Put before every Redis channel and key: one per deployment sharing a Redis server. */
  clusterPrefix: string;
  /** SQLite synchronous mode: FULL survives power loss, NORMAL only process crashes. */
  sqliteSync: 'FULL' | 'NORMAL';
  logLevel: string;
  connection: Partial<ConnectionConfig>;
  /** Sign-in, API and publish limits (DEFAULT_RATE_LIMITS for what is not set). */
  rateLimits: Partial<RateLimitConfig>;
  /** Behind a reverse proxy: take the client IP from X-Forwarded-For (its last entry). */
  trustProxy: boolean;
  /** Milliseconds SIGTERM waits for connections to leave before closing. */
  drainMs: number;
  /** Announce this server on the local network (DNS-SD over mDNS) under this name. */
  announce: string | undefined;
  /** How to announce (default: multicast DNS; tests pass a unicast one). */
  discovery: Discovery | undefined;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './michat-data',
  databaseUrl: undefined,
  redisUrl: undefined,
  clusterPrefix: 'michat/',
  sqliteSync: 'FULL',
  logLevel: 'info',
  connection: {},
  rateLimits: {},
  trustProxy: false,
  drainMs: 5_000,
  announce: undefined,
  discovery: undefined,
};

/** Reads MICHAT_* environment variables over the defaults (flags override both, in the CLI). */
export function configFromEnv(env: Record<string, string | undefined>): Partial<ServerConfig> {
  const out: Partial<ServerConfig> = {};
  if (env.MICHAT_HOST) out.host = env.MICHAT_HOST;
  if (env.MICHAT_PORT) out.port = Number(env.MICHAT_PORT);
  if (env.MICHAT_DATA) out.dataDir = env.MICHAT_DATA;
  if (env.MICHAT_DATABASE_URL) out.databaseUrl = env.MICHAT_DATABASE_URL;
  if (env.MICHAT_REDIS_URL) out.redisUrl = env.MICHAT_REDIS_URL;
  if (env.MICHAT_CLUSTER_PREFIX) out.clusterPrefix = env.MICHAT_CLUSTER_PREFIX;
  if (env.MICHAT_LOG_LEVEL) out.logLevel = env.MICHAT_LOG_LEVEL;
  if (env.MICHAT_SQLITE_SYNC === 'NORMAL' || env.MICHAT_SQLITE_SYNC === 'FULL') out.sqliteSync = env.MICHAT_SQLITE_SYNC;
  const connection: Partial<ConnectionConfig> = {};
  if (env.MICHAT_RATE) connection.ratePerSec = Number(env.MICHAT_RATE);
  if (env.MICHAT_BURST) connection.burst = Number(env.MICHAT_BURST);
  if (Object.keys(connection).length) out.connection = connection;
  const rateLimits = rateLimitsFromEnv(env);
  if (rateLimits) out.rateLimits = rateLimits;
  if (env.MICHAT_ANNOUNCE) out.announce = env.MICHAT_ANNOUNCE;
  if (env.MICHAT_TRUST_PROXY) out.trustProxy = ['1', 'true', 'yes'].includes(env.MICHAT_TRUST_PROXY.toLowerCase());
  return out;
}

/** Throws a clear error for settings that cannot work together. */
export function checkConfig(config: ServerConfig): void {
  if (config.redisUrl !== undefined && config.databaseUrl === undefined) {
    throw new Error('a Redis URL needs a database URL: cluster nodes share PostgreSQL for storage and Redis for the bus');
  }
  for (const [name, url, schemes] of [
    ['database URL', config.databaseUrl, ['postgres:', 'postgresql:']],
    ['Redis URL', config.redisUrl, ['redis:', 'rediss:']],
  ] as const) {
    if (url === undefined) continue;
    let scheme: string;
    try {
      scheme = new URL(url).protocol;
    } catch {
      throw new Error(`the ${name} is not a URL`);
    }
    if (!(schemes as readonly string[]).includes(scheme)) throw new Error(`the ${name} must start with ${schemes.map((s) => `${s}//`).join(' or ')}`);
  }
  if (config.clusterPrefix.length === 0 || config.clusterPrefix.length > 100) throw new Error('the cluster prefix must be 1..100 characters');
}
