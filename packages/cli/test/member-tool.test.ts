import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, serveCli, type CliServer } from './run-cli.ts';

/** `michat admin` builds a whole organization offline; the server then serves it. */
describe('the member tool', () => {
  let dir: string;
  let data: string;
  let server: CliServer | undefined;
  const admin = async (...args: string[]) => {
    const r = await runCli(['admin', ...args, '--data', data], { MICHAT_PASSWORD: 'a long enough secret' });
    return r;
  };
  const ok = async (...args: string[]) => {
    const r = await admin(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'michat-member-'));
    data = join(dir, 'data');
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('builds an org offline: orgs, users, a team with members from two orgs, channels', async () => {
    await ok('init', '--org', 'acme', '--user', 'alice');
    await ok('org', 'create', 'partner');
    await ok('user', 'create', 'bob', '--org', 'acme');
    await ok('user', 'create', 'carol', '--org', 'partner');
    await ok('team', 'create', 'ops', '--owner', 'alice', '--org', 'acme');
    await ok('user', 'add', 'ops', 'bob', '--role', 'member', '--org', 'acme');
    await ok('user', 'add', 'ops', 'carol', '--role', 'guest', '--org', 'acme');
    await ok('channel', 'create', 'ops', 'general', '--owner', 'alice', '--org', 'acme', '--topic', 'Everything ops');
    await ok('channel', 'create', 'ops', 'oncall', '--owner', 'alice', '--org', 'acme', '--visibility', 'restricted');
    const orgs = JSON.parse(await ok('org', 'list', '--json')) as Array<{ name: string }>;
    expect(orgs.map((o) => o.name)).toEqual(['acme', 'partner']);
  }, 90_000);

  it('refuses bad input with a clear message and a failing exit, changing nothing', async () => {
    const weak = await runCli(['admin', 'user', 'create', 'dave', '--org', 'acme', '--data', data, '--password', 'short']);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/password: at least 10 characters/);
    const role = await admin('user', 'add', 'ops', 'bob', '--role', 'emperor', '--org', 'acme');
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/--role must be/);
    const team = await admin('user', 'add', 'nope', 'bob', '--org', 'acme');
    expect(team.stderr).toMatch(/no team "nope"/);
    const dup = await admin('team', 'create', 'ops', '--owner', 'alice', '--org', 'acme');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/Conflict/);
    const which = await admin('team', 'create', 'x', '--owner', 'alice');
    expect(which.stderr).toMatch(/give --org/);
    const outsider = await admin('channel', 'create', 'ops', 'x', '--owner', 'dave', '--org', 'acme');
    expect(outsider.stderr).toMatch(/no user "dave"/);
  }, 90_000);

  it('the server serves what the member tool built; devices list and revoke work offline', async () => {
    server = await serveCli(data);
    const login = async (user: string) => {
      const res = await fetch(`${server!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: 'a long enough secret' }) });
      expect(res.status).toBe(200);
      return (await res.json()) as { accessToken: string; deviceId: number };
    };
    const me = async (token: string) => {
      const res = await fetch(`${server!.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as { teams: Array<{ name: string; role: string; channels: Array<{ name: string; topic?: string }> }> } };
    };
    const bob = await login('bob');
    const bobView = (await me(bob.accessToken)).body;
    expect(bobView.teams.map((t) => [t.name, t.role])).toEqual([['ops', 'member']]);
    expect(bobView.teams[0]!.channels.map((c) => c.name)).toContain('general');
    const carol = await login('carol');
    expect((await me(carol.accessToken)).body.teams.map((t) => [t.name, t.role])).toEqual([['ops', 'guest']]);

    const devices = JSON.parse(await ok('device', 'list', 'ops', '--org', 'acme', '--json')) as Array<{ user: string; deviceId: number; signedIn: boolean }>;
    expect(devices.filter((d) => d.user === 'bob').map((d) => d.deviceId)).toContain(bob.deviceId);
    await ok('device', 'revoke', String(bob.deviceId));
    const after = JSON.parse(await ok('device', 'list', 'ops', '--org', 'acme', '--json')) as Array<{ deviceId: number; signedIn: boolean }>;
    expect(after.find((d) => d.deviceId === bob.deviceId)?.signedIn).toBe(false);
    await ok('session', 'revoke', 'carol');
    const carolRefresh = JSON.parse(await ok('device', 'list', 'ops', '--org', 'acme', '--json')) as Array<{ user: string; signedIn: boolean }>;
    expect(carolRefresh.filter((d) => d.user === 'carol').every((d) => !d.signedIn)).toBe(true);
  }, 90_000);
});
