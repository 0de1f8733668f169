import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { pino } from 'pino';
import { RelayNode, type RelayNodeDeps } from '@michat/relay';
import type { Discovery } from '@michat/discovery';
import { DnsSdDiscovery } from '@michat/discovery';
import { openStore } from '../start-server.ts';
import { WS_PATH, attachWebSockets } from '../ws-host.ts';
import { promMetrics } from '../prom-metrics.ts';
import { createRelayHttpApp } from './relay-http.ts';
import { relayGauges } from './relay-metrics.ts';

export interface RelayConfig extends Omit<RelayNodeDeps, 'kv' | 'logger' | 'metrics'> {
  host: string;
  port: number;
  /** Where the cache and outbound queue live (`<dir>/michat.sqlite`); memory when undefined. */
  dataDir: string | undefined;
  logLevel: string;
  /** Announce on the local network under this name (DNS-SD `_michat._tcp`, kind relay). */
  announce?: string | undefined;
  discovery?: Discovery | undefined;
}

export interface RunningRelay {
  url: string;
  wsUrl: string;
  relay: RelayNode;
  close(): Promise<void>;
}

/** Starts a relay on loopback or the LAN: HTTP and WebSocket on one port, like a server. */
export async function startRelay(config: RelayConfig): Promise<RunningRelay> {
  const logger = pino({ level: config.logLevel });
  const { host, port: wantedPort, dataDir, logLevel: _l, announce, discovery, ...deps } = config;
  const kv = await openStore(dataDir);
  const { metrics, registry } = promMetrics();
  let node: RelayNode | undefined;
  relayGauges(registry, () => node);
  const relay = await RelayNode.open({ ...deps, kv, logger, metrics });
  node = relay;
  relay.start();
  const server: Server = createServer(getRequestListener(createRelayHttpApp(relay, config.upstreamUrl, registry).fetch));
  const wss = attachWebSockets(server, relay);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  logger.info({ url, upstream: config.upstreamUrl, cache: dataDir ?? '(memory)' }, 'michat relay listening');
  const stopAnnouncing = announce === undefined ? undefined : await (discovery ?? new DnsSdDiscovery()).announce({ name: announce, kind: 'relay', port, path: WS_PATH });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await stopAnnouncing?.();
      relay.drain();
      const deadline = Date.now() + 2_000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await relay.close();
      logger.info('michat relay stopped');
    })());
  return { url, wsUrl: `ws://${shownHost}:${port}${WS_PATH}`, relay, close };
}
