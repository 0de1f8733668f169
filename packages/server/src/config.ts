import type { ConnectionConfig } from '@michat/core';

export interface ServerConfig {
  host: string;
  port: number;
  /** Data directory for the embedded SQLite store; undefined keeps everything in memory. */
  dataDir: string | undefined;
  /** SQLite synchronous mode: FULL survives power loss, NORMAL only process crashes. */
  sqliteSync: 'FULL' | 'NORMAL';
  logLevel: string;
  connection: Partial<ConnectionConfig>;
  /** Milliseconds SIGTERM waits for connections to leave before closing. */
  drainMs: number;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './michat-data',
  sqliteSync: 'FULL',
  logLevel: 'info',
  connection: {},
  drainMs: 5_000,
};

/** Reads MICHAT_* environment variables over the defaults (flags override both, in the CLI). */
export function configFromEnv(env: Record<string, string | undefined>): Partial<ServerConfig> {
  const out: Partial<ServerConfig> = {};
  if (env.MICHAT_HOST) out.host = env.MICHAT_HOST;
  if (env.MICHAT_PORT) out.port = Number(env.MICHAT_PORT);
  if (env.MICHAT_DATA) out.dataDir = env.MICHAT_DATA;
  if (env.MICHAT_LOG_LEVEL) out.logLevel = env.MICHAT_LOG_LEVEL;
  if (env.MICHAT_SQLITE_SYNC === 'NORMAL' || env.MICHAT_SQLITE_SYNC === 'FULL') out.sqliteSync = env.MICHAT_SQLITE_SYNC;
  const connection: Partial<ConnectionConfig> = {};
  if (env.MICHAT_RATE) connection.ratePerSec = Number(env.MICHAT_RATE);
  if (env.MICHAT_BURST) connection.burst = Number(env.MICHAT_BURST);
  if (Object.keys(connection).length) out.connection = connection;
  return out;
}
