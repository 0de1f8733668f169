import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initOrganization } from '@michat/core';
import { startServer, type RunningServer } from '@michat/server';
import type { Channel } from '@michat/protocol';
import { MichatClient, type MichatClientOptions } from '../src/index.ts';
import { TcpProxy } from '@michat/testkit';

export const PASSWORD = 'correct horse battery';

export interface ClientFixture {
  server: RunningServer;
  /** The admin's client (HTTP only until used for data). */
  admin: MichatClient;
  /** Creates user `username` (by the admin) and returns a logged-in client for them. */
  user(username: string, options?: MichatClientOptions, serverUrl?: string): Promise<MichatClient>;
  /** A client tracked for closing with the fixture. */
  track<T extends MichatClient>(client: T): T;
  /** Team `name` with a public channel `general` that every given client joined. */
  channel(members: MichatClient[], name?: string): Promise<Channel>;
  /** The server's data directory (with `persistent`). */
  readonly dataDir: string | undefined;
  /** With `proxied`: a TCP proxy in front of the server, to cut and restore the network. */
  readonly proxy: TcpProxy;
  /** Stops the server (draining), runs `meanwhile`, and starts it again on the same port and data. */
  restart(meanwhile?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** A real server on a free loopback port, org `acme`, admin `admin`. */
export async function startClientFixture(options: { persistent?: boolean; proxied?: boolean } = {}): Promise<ClientFixture> {
  const dataDir = options.persistent ? await mkdtemp(join(tmpdir(), 'michat-client-test-')) : undefined;
  const config = { host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', drainMs: 200 };
  let server = await startServer(config);
  await initOrganization(server.node.directory, { org: 'acme', username: 'admin', password: PASSWORD });
  const clients: MichatClient[] = [];
  const track = <T extends MichatClient>(c: T): T => {
    clients.push(c);
    return c;
  };
  const admin = track(await MichatClient.login(server.url, 'admin', PASSWORD));
  const proxy = options.proxied ? await TcpProxy.start(server.url) : undefined;
  let teams = 0;
  return {
    get server() {
      return server;
    },
    get proxy() {
      if (!proxy) throw new Error('start the fixture with { proxied: true }');
      return proxy;
    },
    admin,
    dataDir,
    track,
    async user(username, clientOptions = {}, serverUrl = server.url) {
      await admin.createUser(username, PASSWORD);
      return track(await MichatClient.login(serverUrl, username, PASSWORD, clientOptions));
    },
    channel(members, name = `team${++teams}`) {
      return teamWithChannel(admin, members, name);
    },
    async restart(meanwhile) {
      if (!dataDir) throw new Error('restart needs a persistent fixture');
      const port = Number(new URL(server.url).port);
      await server.close();
      await meanwhile?.();
      server = await startServer({ ...config, port });
    },
    async close() {
      await proxy?.close();
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The admin creates team `name` with a public channel `general` that every member joins. */
export async function teamWithChannel(admin: MichatClient, members: MichatClient[], name: string): Promise<Channel> {
  const team = await admin.createTeam(name);
  const channel = await admin.createChannel(team.id, 'general', 'public');
  for (const m of members) {
    if (m === admin) continue;
    await admin.addTeamMember(team.id, m.session.username);
    await m.joinChannel(channel.id);
  }
  return channel;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `check` holds, polling; fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000, what: string | (() => string) = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
