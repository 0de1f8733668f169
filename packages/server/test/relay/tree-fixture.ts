import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRelayAccount, initOrganization } from '@michat/core';
import { MichatClient, type MichatClientOptions } from '@michat/client';
import { TcpProxy } from '@michat/testkit';
import type { Channel } from '@michat/protocol';
import { startRelay, startServer, type RelayConfig, type RunningRelay, type RunningServer } from '../../src/index.ts';

export const PASSWORD = 'correct horse battery';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds, failing after `ms` with what was awaited. */
export async function eventually(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
const FAST = { ratePerSec: 10_000, burst: 10_000 };
const RATES = { publishPerUser: { perSec: 10_000, burst: 10_000 }, apiPerUser: { perSec: 1_000, burst: 1_000 } };
/** Relays beat upstream often, so a heal is seen within a second or two. */
const RELAY_BEATS = { minMs: 300, maxMs: 600 };

export interface Tree {
  origin: RunningServer;
  cloud: RunningRelay;
  local: RunningRelay;
  /** Between the local relay and the cloud relay: cut it to partition the LAN. */
  link: TcpProxy;
  admin: MichatClient;
  /** A user created at the origin, signed in through `at` (a server or relay URL). */
  user(username: string, at: string, options?: MichatClientOptions): Promise<MichatClient>;
  /** Team `name` with a public channel `general` that every given client joined. */
  channel(members: MichatClient[], name: string): Promise<Channel>;
  /** Stops the local relay and starts it again on the same port and cache (the link may be cut meanwhile). */
  restartLocal(): Promise<void>;
  /** The data directories of the origin, the cloud relay and the local relay. */
  dataDirs(): string[];
  close(): Promise<void>;
}

/** origin ← cloud relay ← (TCP link) ← local relay, on loopback, each relay on its own SQLite cache. */
export async function startTree(relayOptions: Partial<RelayConfig> = {}): Promise<Tree> {
  const dirs = await Promise.all(['origin', 'cloud', 'local'].map((n) => mkdtemp(join(tmpdir(), `michat-tree-${n}-`))));
  const origin = await startServer({ host: '127.0.0.1', port: 0, dataDir: dirs[0], logLevel: 'silent', drainMs: 200, connection: FAST, rateLimits: RATES });
  const { org } = await initOrganization(origin.node.directory, { org: 'acme', username: 'admin', password: PASSWORD });
  await createRelayAccount(origin.node.directory, { orgId: org.id, username: 'cloud-relay', password: PASSWORD });
  await createRelayAccount(origin.node.directory, { orgId: org.id, username: 'lan-relay', password: PASSWORD });
  const relay = (upstreamUrl: string, username: string, dataDir: string, port = 0) =>
    startRelay({ upstreamUrl, username, password: PASSWORD, host: '127.0.0.1', port, dataDir, logLevel: 'silent', heartbeat: RELAY_BEATS, connection: FAST, rateLimits: RATES, ...relayOptions });
  const cloud = await relay(origin.url, 'cloud-relay', dirs[1]!);
  const link = await TcpProxy.start(cloud.url);
  let local = await relay(link.url, 'lan-relay', dirs[2]!);
  const clients: MichatClient[] = [];
  const admin = await MichatClient.login(origin.url, 'admin', PASSWORD);
  clients.push(admin);
  return {
    origin,
    cloud,
    get local() {
      return local;
    },
    link,
    admin,
    async user(username, at, options = {}) {
      await admin.createUser(username, PASSWORD);
      const c = await MichatClient.login(at, username, PASSWORD, options);
      clients.push(c);
      return c;
    },
    async channel(members, name) {
      const team = await admin.createTeam(name);
      const channel = await admin.createChannel(team.id, 'general', 'public');
      for (const m of members) {
        await admin.addTeamMember(team.id, m.session.username, 'member');
        await m.joinChannel(channel.id);
      }
      return channel;
    },
    dataDirs: () => [...dirs],
    async restartLocal() {
      const port = Number(new URL(local.url).port);
      await local.close();
      local = await relay(link.url, 'lan-relay', dirs[2]!, port);
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await local.close();
      await link.close();
      await cloud.close();
      await origin.close();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
