/**
 * A michat server for the benchmarks, run as a child process of core-bench.ts and
 * cluster-bench.ts (fork): `startServer` on 127.0.0.1 and an ephemeral port, with the org
 * `bench` and its admin created through `initOrganization`. Everything else (users, team,
 * channel) the parent creates over HTTP, as any client would.
 *
 *     --store sqlite|memory     sqlite: a fresh data directory under the OS temp dir
 *     --sync FULL|NORMAL        SQLite synchronous mode (sqlite only; default FULL)
 *     --rate N --burst N        per-connection frame rate limit (token bucket)
 *     --database URL            PostgreSQL instead of --store (an existing, possibly empty database)
 *     --redis URL --prefix P    with --database: one node of a cluster on that Redis and prefix
 *     --no-init                 the org exists already (another node of the cluster made it)
 *
 * Auth is on as in production (EdDSA access tokens, scrypt passwords). Stops (and removes
 * its data directory) when the parent says so or goes away.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NO_RATE_LIMITS, initOrganization } from '@michat/core';
import { startServer } from '@michat/server';
import { serveParent } from './lib/child-ipc.ts';
import { BENCH_ADMIN, BENCH_ORG, BENCH_PASSWORD } from './lib/michat-bootstrap.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    sync: { type: 'string', default: 'FULL' },
    rate: { type: 'string', default: '1000000' },
    burst: { type: 'string', default: '1000000' },
    database: { type: 'string' },
    redis: { type: 'string' },
    prefix: { type: 'string', default: 'michat/' },
    init: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
if (values.store !== 'sqlite' && values.store !== 'memory') throw new Error(`--store sqlite|memory, not ${values.store}`);
if (values.sync !== 'FULL' && values.sync !== 'NORMAL') throw new Error(`--sync FULL|NORMAL, not ${values.sync}`);

const dataDir = values.store === 'sqlite' && values.database === undefined ? await mkdtemp(join(tmpdir(), 'michat-bench-')) : undefined;
const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  dataDir,
  databaseUrl: values.database,
  redisUrl: values.redis,
  clusterPrefix: values.prefix,
  sqliteSync: values.sync,
  logLevel: 'warn',
  drainMs: 200,
  connection: { ratePerSec: Number(values.rate), burst: Number(values.burst) },
  // The load generator logs in many times from one IP and publishes as fast as acks allow.
  rateLimits: NO_RATE_LIMITS,
});
if (values.init) await initOrganization(server.node.directory, { org: BENCH_ORG, username: BENCH_ADMIN, password: BENCH_PASSWORD });

serveParent(
  {
    url: server.url,
    wsUrl: server.wsUrl,
    info: {
      store: values.database !== undefined ? 'postgres' : values.store,
      sqliteSync: values.store === 'sqlite' && values.database === undefined ? values.sync : undefined,
      cluster: values.redis !== undefined ? { prefix: values.prefix, nodeId: server.node.cluster?.nodeId } : undefined,
      ratePerSec: Number(values.rate),
      burst: Number(values.burst),
    },
  },
  async () => {
    await server.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  },
);
