import type { Command } from 'commander';
import type { ServerConfig } from '@michat/server';
import { hostname } from 'node:os';
import { parsePort, parsePositive } from '../output.ts';
import { parseHostPort } from './discover.ts';

interface ServeOptions {
  host?: string;
  port?: number;
  data?: string;
  memory?: boolean;
  database?: string;
  redis?: string;
  clusterPrefix?: string;
  announce?: string | boolean;
  announceUnicast?: { host: string; port: number };
  logLevel?: string;
  sqliteSync?: string;
  rate?: number;
  burst?: number;
  trustProxy?: boolean;
}

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run a michat server on its embedded default (SQLite in a data directory), or as a cluster node on PostgreSQL and Redis')
    .option('--host <host>', 'address to listen on (env MICHAT_HOST)', undefined)
    .option('--port <port>', 'port to listen on, 0 for any free port (env MICHAT_PORT)', parsePort)
    .option('--data <dir>', 'data directory (env MICHAT_DATA)', undefined)
    .option('--memory', 'keep everything in memory (lost on exit)')
    .option('--database <url>', 'PostgreSQL URL (postgres://…): store everything there instead of the data directory (env MICHAT_DATABASE_URL)')
    .option('--redis <url>', 'Redis URL (redis://…): run as one node of a cluster sharing the database (env MICHAT_REDIS_URL)')
    .option('--cluster-prefix <p>', 'prefix of every Redis key and channel, one per deployment (env MICHAT_CLUSTER_PREFIX, default michat/)')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent (env MICHAT_LOG_LEVEL)')
    .option('--sqlite-sync <mode>', 'FULL (survives power loss) or NORMAL (survives process crashes) (env MICHAT_SQLITE_SYNC)')
    .option('--rate <n>', 'frames per second per connection (env MICHAT_RATE)', parsePositive)
    .option('--burst <n>', 'frames a connection may send at once (env MICHAT_BURST)', parsePositive)
    .option('--announce [name]', 'announce this server on the local network (mDNS) so apps can find it (env MICHAT_ANNOUNCE; default name: michat on HOSTNAME)')
    .option('--announce-unicast <host:port>', 'answer discovery queries sent to this address only, instead of multicast', parseHostPort)
    .option('--trust-proxy', 'behind a reverse proxy: client IPs (for rate limits) from X-Forwarded-For (env MICHAT_TRUST_PROXY)')
    .action(async (o: ServeOptions) => {
      // Loaded here so client commands start without the server's dependencies.
      const { configFromEnv, startServer } = await import('@michat/server');
      const env = configFromEnv(process.env);
      const config: Partial<ServerConfig> = { ...env };
      if (o.host) config.host = o.host;
      if (o.port !== undefined) config.port = o.port;
      if (o.data) config.dataDir = o.data;
      if (o.memory) config.dataDir = undefined;
      if (o.database) config.databaseUrl = o.database;
      if (o.redis) config.redisUrl = o.redis;
      if (o.clusterPrefix) config.clusterPrefix = o.clusterPrefix;
      if (o.logLevel) config.logLevel = o.logLevel;
      if (o.sqliteSync === 'FULL' || o.sqliteSync === 'NORMAL') config.sqliteSync = o.sqliteSync;
      else if (o.sqliteSync) throw new Error('--sqlite-sync must be FULL or NORMAL');
      if (o.trustProxy) config.trustProxy = true;
      if (o.announce !== undefined) config.announce = typeof o.announce === 'string' ? o.announce : `michat on ${hostname()}`;
      if (o.announceUnicast) {
        const { DnsSdDiscovery } = await import('@michat/discovery');
        config.discovery = new DnsSdDiscovery({ unicast: o.announceUnicast });
      }
      if (o.rate || o.burst) config.connection = { ...env.connection, ...(o.rate ? { ratePerSec: o.rate } : {}), ...(o.burst ? { burst: o.burst } : {}) };
      const server = await startServer(config);
      console.log(`michat listening on ${server.url}`);
      if (await server.node.directory.isEmpty()) {
        const where = config.databaseUrl ? '--database URL' : `--data ${config.dataDir ?? './michat-data'}`;
        console.log(`no organization yet: open ${server.url} to create one, or run  npx michat admin init ${where} --org NAME --user NAME --password PW`);
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: draining connections and stopping`);
        void server.close().then(() => process.exit(0));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
