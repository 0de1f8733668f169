import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { pino } from 'pino';
import { MemoryKvStore, MichatNode, type KvStore } from '@michat/core';
import { SqliteKvStore } from '@michat/store-sqlite';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from './config.ts';
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

/** Starts a michat node on its embedded default (SQLite in the data directory). */
export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const config: ServerConfig = { ...DEFAULT_SERVER_CONFIG, ...overrides };
  const logger = pino({ level: config.logLevel });
  const { metrics, registry } = promMetrics();
  const kv = await openStore(config.dataDir, config.sqliteSync);
  const node = new MichatNode({ kv, hasher: scryptHasher, logger, metrics, connection: config.connection, rateLimits: config.rateLimits });
  const app = createHttpApp(node, registry, { trustProxy: config.trustProxy });
  const server: Server = createServer(getRequestListener(app.fetch));
  const wss = attachWebSockets(server, node);
  node.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, dataDir: config.dataDir ?? '(memory)' }, 'michat listening');

  let closing: Promise<void> | undefined;
  const drain = async () => {
    node.drain();
    const deadline = Date.now() + config.drainMs;
    while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };
  const close = () =>
    (closing ??= (async () => {
      await drain();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await node.close();
      logger.info('michat stopped');
    })());
  return { url, wsUrl: `ws://${host}:${port}${WS_PATH}`, node, drain, close };
}
