import type { Command } from 'commander';
import { hostname } from 'node:os';
import { CliError, parsePort, parsePositive } from '../output.ts';
import { parseHostPort } from './discover.ts';

interface RelayOptions {
  upstream: string;
  user?: string;
  host?: string;
  port?: number;
  data?: string;
  memory?: boolean;
  cacheMb?: number;
  rate?: number;
  burst?: number;
  announce?: string | boolean;
  announceUnicast?: { host: string; port: number };
  logLevel?: string;
}

/** `michat relay --upstream URL`: a caching relay in front of a server (or another relay). */
export function relayCommand(program: Command): void {
  program
    .command('relay')
    .description('run a relay: clients connect to it as to a server; it caches the channels they use, forwards to its upstream, and keeps working offline')
    .requiredOption('--upstream <url>', 'the parent: a michat server or another relay (http://host:port)')
    .option('--user <name>', 'the relay account upstream (`michat admin relay add`); password in env MICHAT_RELAY_PASSWORD (env MICHAT_RELAY_USER)')
    .option('--host <host>', 'address to listen on (env MICHAT_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free port (env MICHAT_PORT, default 8081)', parsePort)
    .option('--data <dir>', 'cache and outbound queue directory (env MICHAT_DATA, default ./michat-relay-data)')
    .option('--memory', 'keep the cache in memory (lost on exit, with anything not yet sent upstream)')
    .option('--cache-mb <n>', 'evict least recently used channels past this many MB of cached objects (env MICHAT_RELAY_CACHE_MB; default: unbounded)', parsePositive)
    .option('--announce [name]', 'announce this relay on the local network (mDNS) so apps can find it (default name: michat relay on HOSTNAME)')
    .option('--announce-unicast <host:port>', 'answer discovery queries sent to this address only, instead of multicast', parseHostPort)
    .option('--rate <n>', 'frames per second per client connection (env MICHAT_RATE, default 200)', parsePositive)
    .option('--burst <n>', 'frames a client connection may send at once (env MICHAT_BURST, default 1000)', parsePositive)
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent (env MICHAT_LOG_LEVEL)')
    .action(async (o: RelayOptions) => {
      const username = o.user ?? process.env.MICHAT_RELAY_USER;
      const password = process.env.MICHAT_RELAY_PASSWORD;
      if (!username) throw new CliError('give --user NAME (a relay account: michat admin relay add NAME --org ORG)');
      if (!password) throw new CliError('set MICHAT_RELAY_PASSWORD to the relay account password');
      let upstreamUrl: URL;
      try {
        upstreamUrl = new URL(o.upstream);
      } catch {
        throw new CliError(`--upstream must be a URL such as http://host:8080 (got ${o.upstream})`);
      }
      if (upstreamUrl.protocol !== 'http:' && upstreamUrl.protocol !== 'https:') throw new CliError('--upstream must be an http:// or https:// URL');
      const { startRelay } = await import('@michat/server');
      const discovery = o.announceUnicast ? new (await import('@michat/discovery')).DnsSdDiscovery({ unicast: o.announceUnicast }) : undefined;
      const relay = await startRelay({
        upstreamUrl: upstreamUrl.href.replace(/\/$/, ''),
        username,
        password,
        deviceName: `relay on ${hostname()}`,
        host: o.host ?? process.env.MICHAT_HOST ?? '127.0.0.1',
        port: o.port ?? (process.env.MICHAT_PORT ? Number(process.env.MICHAT_PORT) : 8081),
        connection: connectionLimits(o.rate ?? envNumber('MICHAT_RATE'), o.burst ?? envNumber('MICHAT_BURST')),
        ...cacheBytes(o.cacheMb ?? (process.env.MICHAT_RELAY_CACHE_MB ? parsePositive(process.env.MICHAT_RELAY_CACHE_MB) : undefined)),
        dataDir: o.memory ? undefined : (o.data ?? process.env.MICHAT_DATA ?? './michat-relay-data'),
        logLevel: o.logLevel ?? process.env.MICHAT_LOG_LEVEL ?? 'info',
        announce: o.announce === undefined ? undefined : typeof o.announce === 'string' ? o.announce : `michat relay on ${hostname()}`,
        discovery,
      });
      console.log(`michat relay listening on ${relay.url} (upstream ${upstreamUrl.origin})`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: stopping the relay`);
        void relay.close().then(() => process.exit(0));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}

function cacheBytes(mb: number | undefined): { cacheBytes?: number } {
  return mb === undefined ? {} : { cacheBytes: mb * 1024 * 1024 };
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v ? parsePositive(v) : undefined;
}

function connectionLimits(rate: number | undefined, burst: number | undefined): { ratePerSec?: number; burst?: number } {
  return { ...(rate ? { ratePerSec: rate } : {}), ...(burst ? { burst } : {}) };
}
