import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel, Session } from '@michat/protocol';
import { initOrganization } from '@michat/core';
import { startServer, type RunningServer, type ServerConfig } from '../src/index.ts';

export interface Fixture {
  server: RunningServer;
  dataDir: string | undefined;
  admin: Session;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  login(username: string, password?: string): Promise<Session>;
  /** Creates a user (by the admin) and logs in. */
  user(username: string): Promise<Session>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery';

/**
 * Every test client calls from 127.0.0.1, so the per-IP sign-in budget of a real server
 * (30 a minute) would trip on test setup; per-username and every other limit stay as in
 * production. A test about limits passes its own `rateLimits` (`{}` for the defaults).
 */
export const LOOPBACK_RATE_LIMITS = { authPerIp: { perSec: 100, burst: 1_000 } };

/** Starts a real server on a free loopback port with an org `acme` and admin `admin`. */
export async function startFixture(options: { persistent?: boolean; config?: Partial<ServerConfig> } = {}): Promise<Fixture> {
  const dataDir = options.persistent ? await mkdtemp(join(tmpdir(), 'michat-test-')) : undefined;
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', drainMs: 200, rateLimits: LOOPBACK_RATE_LIMITS, ...options.config });
  await initOrganization(server.node.directory, { org: 'acme', username: 'admin', password: PASSWORD });
  const api = async <T>(method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const login = async (username: string, password = PASSWORD) => {
    const r = await api<Session>('POST', '/api/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const admin = await login('admin');
  return {
    server,
    dataDir,
    admin,
    api,
    login,
    async user(username) {
      const r = await api('POST', '/api/users', { username, password: PASSWORD }, admin.accessToken);
      if (r.status !== 201) throw new Error(`create user ${username}: ${r.status} ${JSON.stringify(r.body)}`);
      return login(username);
    },
    async close() {
      await server.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates team `name` (admin as owner) with a public channel `general`; adds `members` to both. */
export async function teamWithChannel(f: Fixture, members: Session[] = [], name = 'core'): Promise<{ teamId: number; channel: Channel }> {
  const team = await f.api<{ id: number }>('POST', '/api/teams', { name }, f.admin.accessToken);
  const ch = await f.api<Channel>('POST', `/api/teams/${team.body.id}/channels`, { name: 'general' }, f.admin.accessToken);
  for (const m of members) {
    await f.api('POST', `/api/teams/${team.body.id}/members`, { username: m.username }, f.admin.accessToken);
    const joined = await f.api('POST', `/api/channels/${ch.body.id}/join`, undefined, m.accessToken);
    if (joined.status !== 200) throw new Error(`join: ${joined.status} ${JSON.stringify(joined.body)}`);
  }
  return { teamId: team.body.id, channel: ch.body };
}

export { textObject, channelPrefix } from '@michat/testkit';
