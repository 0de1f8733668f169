import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** A connection attempt that takes longer fails. */
  connectTimeoutMs?: number;
  /** A command with no reply for this long fails (the server hangs, the network stalls). */
  commandTimeoutMs?: number;
  /** Connection errors; the client keeps reconnecting by itself after each. */
  onConnectionError?: (error: Error) => void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
/** Reconnect delays grow by this much per failed attempt, up to RECONNECT_MAX_MS. */
const RECONNECT_STEP_MS = 100;
const RECONNECT_MAX_MS = 2_000;

/**
 * Opens one ioredis connection and waits until it is ready; rejects (and stops trying) if
 * the first attempt fails. Once up, it reconnects forever with capped backoff.
 *
 * While disconnected, commands fail at once instead of queueing (enableOfflineQueue off),
 * and commands in flight when the connection drops fail instead of being resent later
 * (maxRetriesPerRequest 0): a caller always gets a prompt answer, never a hang.
 */
export async function openRedis(options: RedisConnectionOptions, name: string): Promise<Redis> {
  const client = new Redis(options.url, {
    lazyConnect: true,
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // RedisBus restores its subscriptions itself, only those that still have handlers.
    autoResubscribe: false,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * RECONNECT_STEP_MS, RECONNECT_MAX_MS),
  });
  // Without a listener ioredis prints every connection error itself.
  client.on('error', (error: Error) => options.onConnectionError?.(error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

/** Closes `client`: politely when it can (pending replies arrive first), at once otherwise. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
