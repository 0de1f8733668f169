import { randomUUID } from 'node:crypto';
import { initOrganization } from '@michat/core';
import { startServer, type RunningServer, type ServerConfig } from '@michat/server';
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '@michat/testkit';
import type { Channel } from '@michat/protocol';
import { MichatClient, type MichatClientOptions } from '../../src/index.ts';
import { PASSWORD, teamWithChannel } from '../fixture.ts';

export interface Cluster {
  pg: PostgresServer;
  redis: RedisServer;
  /** The nodes, each started as `michat serve --database … --redis …` would start it. */
  nodes: RunningServer[];
  /** The admin's client, on node 0. */
  admin: MichatClient;
  /** Creates a user (by the admin) and logs them in on node `node`. */
  user(username: string, node: number, options?: MichatClientOptions): Promise<MichatClient>;
  /** A team with a public channel `general` that every given client joined. */
  channel(members: MichatClient[]): Promise<Channel>;
  /** An HTTP call as the admin through node `node`; its status. */
  call(node: number, method: string, path: string, body?: unknown): Promise<number>;
  close(): Promise<void>;
}

/** Shared by the tests of one file: PostgreSQL and Redis from Debian's packages, on loopback. */
export async function startBackends(): Promise<{ pg: PostgresServer; redis: RedisServer; stop(): Promise<void> }> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  return { pg, redis, stop: async () => void (await Promise.allSettled([pg.stop(), redis.stop()])) };
}

/** `count` nodes on one fresh database and one fresh bus prefix; org `acme`, admin `admin`. */
export async function startCluster(backends: { pg: PostgresServer; redis: RedisServer }, count: number, config: Partial<ServerConfig> = {}): Promise<Cluster> {
  const databaseUrl = await backends.pg.createDatabase();
  const shared: Partial<ServerConfig> = {
    host: '127.0.0.1',
    port: 0,
    dataDir: undefined,
    databaseUrl,
    redisUrl: backends.redis.url,
    clusterPrefix: `test/${randomUUID()}/`,
    logLevel: 'silent',
    drainMs: 200,
    rateLimits: { authPerIp: { perSec: 100, burst: 1_000 }, publishPerUser: { perSec: 10_000, burst: 10_000 } },
    ...config,
  };
  const nodes: RunningServer[] = [];
  for (let i = 0; i < count; i++) nodes.push(await startServer(shared));
  await initOrganization(nodes[0]!.node.directory, { org: 'acme', username: 'admin', password: PASSWORD });
  const clients: MichatClient[] = [];
  const admin = await MichatClient.login(nodes[0]!.url, 'admin', PASSWORD);
  clients.push(admin);
  let teams = 0;
  return {
    ...backends,
    nodes,
    admin,
    async user(username, node, options = {}) {
      await admin.createUser(username, PASSWORD);
      const client = await MichatClient.login(nodes[node]!.url, username, PASSWORD, options);
      clients.push(client);
      return client;
    },
    channel(members) {
      return teamWithChannel(admin, members, `team${++teams}`);
    },
    async call(node, method, path, body) {
      const res = await fetch(nodes[node]!.url + path, {
        method,
        headers: { authorization: `Bearer ${admin.session.accessToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      await res.body?.cancel();
      return res.status;
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await Promise.allSettled(nodes.map((n) => n.close()));
    },
  };
}
