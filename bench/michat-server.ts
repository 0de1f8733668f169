import { NO_RATE_LIMITS } from '@michat/core';
/**
 * A michat server for the benchmarks, run as a child process of core-bench.ts (fork):
 * `startServer` on 127.0.0.1 and an ephemeral port, with the org `bench` and its admin
 * created through `initOrganization`. Everything else (users, team, channel) the parent
 * creates over HTTP, as any client would.
 *
 *     --store sqlite|memory     sqlite: a fresh data directory under the OS temp dir
 *     --sync FULL|NORMAL        SQLite synchronous mode (sqlite only; default FULL)
 *     --rate N --burst N        per-connection frame rate limit (token bucket)
 *
 * Auth is on as in production (EdDSA access tokens, scrypt passwords). Stops (and removes
 * its data directory) when the parent says so or goes away.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initOrganization } from '@michat/core';
import { startServer } from '@michat/server';
import { serveParent } from './lib/child-ipc.ts';
import { BENCH_ADMIN, BENCH_ORG, BENCH_PASSWORD } from './lib/michat-bootstrap.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    sync: { type: 'string', default: 'FULL' },
    rate: { type: 'string', default: '1000000' },
    burst: { type: 'string', default: '1000000' },
  },
});
if (values.store !== 'sqlite' && values.store !== 'memory') throw new Error(`--store sqlite|memory, not ${values.store}`);
if (values.sync !== 'FULL' && values.sync !== 'NORMAL') throw new Error(`--sync FULL|NORMAL, not ${values.sync}`);

const dataDir = values.store === 'sqlite' ? await mkdtemp(join(tmpdir(), 'michat-bench-')) : undefined;
const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  dataDir,
  sqliteSync: values.sync,
  logLevel: 'warn',
  drainMs: 200,
  connection: { ratePerSec: Number(values.rate), burst: Number(values.burst) },
  // The load generator logs in many times from one IP and publishes as fast as acks allow.
  rateLimits: NO_RATE_LIMITS,
});
await initOrganization(server.node.directory, { org: BENCH_ORG, username: BENCH_ADMIN, password: BENCH_PASSWORD });

serveParent(
  {
    url: server.url,
    wsUrl: server.wsUrl,
    info: { store: values.store, sqliteSync: values.store === 'sqlite' ? values.sync : undefined, ratePerSec: Number(values.rate), burst: Number(values.burst) },
  },
  async () => {
    await server.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  },
);
