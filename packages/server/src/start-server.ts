import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { pino } from 'pino';
import { MemoryKvStore, MichatNode, type KvStore } from '@michat/core';
import { SqliteKvStore } from '@michat/store-sqlite';
import { DnsSdDiscovery } from '@michat/discovery';
import { openSharedParts, type SharedParts } from './cluster-parts.ts';
import { DEFAULT_SERVER_CONFIG, checkConfig, type ServerConfig } from './config.ts';
import { createHttpApp } from './http-app.ts';
import { promMetrics } from './prom-metrics.ts';
import { scryptHasher } from './scrypt-hasher.ts';
import { WS_PATH, attachWebSockets } from './ws-host.ts';

export interface RunningServer {
  /** Base HTTP URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** WebSocket URL of the data plane. */
  wsUrl: string;
  node: MichatNode;
  /** Stops accepting and asks clients to reconnect; resolves when they are gone or after drainMs. */
  drain(): Promise<void>;
  /** Drains, closes the HTTP server and the store. Idempotent. */
  close(): Promise<void>;
}

/** The store a data directory holds: `<dir>/michat.sqlite` (opened by `admin` commands too). */
export async function openStore(dataDir: string | undefined, sync: 'FULL' | 'NORMAL' = 'FULL'): Promise<KvStore> {
  return dataDir === undefined ? new MemoryKvStore() : await SqliteKvStore.open(join(dataDir, 'michat.sqlite'), { synchronous: sync });
}

/**
 * Starts a michat node: on its embedded default (SQLite in the data directory), or, given a
 * database URL, on PostgreSQL, and with a Redis URL as one node of a cluster.
 */
export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const config: ServerConfig = { ...DEFAULT_SERVER_CONFIG, ...overrides };
  checkConfig(config);
  const logger = pino({ level: config.logLevel });
  const { metrics, registry } = promMetrics();
  const shared: SharedParts =
    config.databaseUrl === undefined
      ? { kv: await openStore(config.dataDir, config.sqliteSync), close: async () => undefined }
      : await openSharedParts({ ...config, databaseUrl: config.databaseUrl }, logger);
  const { kv, bus, presence } = shared;
  const node = new MichatNode({ kv, hasher: scryptHasher, logger, metrics, connection: config.connection, rateLimits: config.rateLimits, ...(bus ? { bus } : {}), ...(presence ? { presence } : {}) });
  try {
    await node.start();
  } catch (e) {
    await node.close();
    await shared.close();
    throw e;
  }
  const app = createHttpApp(node, registry, { trustProxy: config.trustProxy });
  const server: Server = createServer(getRequestListener(app.fetch));
  const wss = attachWebSockets(server, node);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, store: describeStore(config), cluster: bus ? (node.cluster?.nodeId ?? null) : null }, 'michat listening');
  const stopAnnouncing =
    config.announce === undefined ? undefined : await (config.discovery ?? new DnsSdDiscovery()).announce({ name: config.announce, kind: 'server', port, path: WS_PATH });

  let closing: Promise<void> | undefined;
  const drain = async () => {
    node.drain();
    const deadline = Date.now() + config.drainMs;
    while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };
  const close = () =>
    (closing ??= (async () => {
      await stopAnnouncing?.();
      await drain();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await node.close();
      await shared.close();
      logger.info('michat stopped');
    })());
  return { url, wsUrl: `ws://${host}:${port}${WS_PATH}`, node, drain, close };
}

/** Where the node keeps its data, for the log (never the database password). */
function describeStore(config: ServerConfig): string {
  if (config.databaseUrl === undefined) return config.dataDir ?? '(memory)';
  const url = new URL(config.databaseUrl);
  return `postgres://${url.host}${url.pathname}`;
}
