import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MICHAT_BIN, runCli, serveCli, type CliServer } from './run-cli.ts';

/** The CLI as a user drives it: serve, admin init, login, team, channel, send, history, tail. */
describe('michat commands', () => {
  let dir: string;
  let server: CliServer;
  const alice = () => ({ MICHAT_PROFILE: join(dir, 'alice.json') });
  const bob = () => ({ MICHAT_PROFILE: join(dir, 'bob.json') });
  const ok = async (args: string[], env: Record<string, string>) => {
    const r = await runCli(args, env);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'michat-cli-'));
    await ok(['admin', 'init', '--data', join(dir, 'data'), '--org', 'acme', '--user', 'alice', '--password', 'wonderland42'], {});
    server = await serveCli(join(dir, 'data'));
    await ok(['login', '--server', server.url, '--user', 'alice', '--password', 'wonderland42'], alice());
  }, 60_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the session in a private profile file', async () => {
    expect((await stat(join(dir, 'alice.json'))).mode & 0o777).toBe(0o600);
  });

  it('creates a team and channel, sends, and shows history as text and JSON lines', async () => {
    await ok(['team', 'create', 'ops'], alice());
    await ok(['channel', 'create', 'ops', 'general'], alice());
    expect(await ok(['send', 'ops/general', 'hello, world'], alice())).toMatch(/^sent m\/\d+\/\d+\/\d+\/\d+\/1$/m);
    await ok(['send', 'ops/general', 'second line'], alice());
    const human = await ok(['history', 'ops/general'], alice());
    expect(human.trim().split('\n').map((l) => l.replace(/^\S+ \S+\s+/, ''))).toEqual(['alice: hello, world', 'alice: second line']);
    const lines = (await ok(['history', 'ops/general', '--json', '--limit', '1'], alice())).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([{ name: expect.stringMatching(/^m\//), sender: 'alice', created: expect.any(String), text: 'second line', e2ee: true }]);
    expect(Math.abs(Date.parse(lines[0].created) - Date.now())).toBeLessThan(60_000);
  }, 60_000);

  it('tail prints the recent backlog, then live messages from another user', async () => {
    await ok(['user', 'create', 'bob', '--password', 'builder-b0b-secret'], alice());
    await ok(['team', 'add', 'ops', 'bob'], alice());
    await ok(['login', '--server', server.url, '--user', 'bob', '--password', 'builder-b0b-secret'], bob());
    await ok(['channel', 'join', 'ops/general'], bob());
    const tail = spawn(process.execPath, [MICHAT_BIN, 'tail', 'ops/general', '--json', '--last', '1'], { env: { ...process.env, ...alice() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    tail.stdout.on('data', (d) => (out += d));
    const lines = () => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sender: string; text: string });
    const until = async (n: number) => {
      for (let i = 0; i < 400 && lines().length < n; i++) await new Promise((r) => setTimeout(r, 50));
    };
    await until(1);
    expect(lines()[0]).toMatchObject({ sender: 'alice', text: 'second line' });
    await ok(['send', 'ops/general', 'from bob'], bob());
    await until(2);
    tail.kill('SIGINT');
    expect(lines().map((l) => `${l.sender}: ${l.text}`)).toEqual(['alice: second line', 'bob: from bob']);
  }, 60_000);

  it('fails clearly with a non-zero exit on mistakes', async () => {
    const noProfile = await runCli(['send', 'ops/general', 'x'], { MICHAT_PROFILE: join(dir, 'nobody.json') });
    expect(noProfile.code).toBe(1);
    expect(noProfile.stderr).toMatch(/not logged in/);
    const badChannel = await runCli(['send', 'ops/nope', 'x'], alice());
    expect(badChannel.code).toBe(1);
    expect(badChannel.stderr).toMatch(/no channel "nope"/);
    const badPassword = await runCli(['login', '--server', server.url, '--user', 'alice', '--password', 'wrong-password'], { MICHAT_PROFILE: join(dir, 'x.json') });
    expect(badPassword.code).toBe(1);
    expect(badPassword.stderr).toMatch(/Unauthorized/);
    const guestTeam = await runCli(['team', 'create', 'sneaky'], bob());
    expect(guestTeam.code).toBe(1);
    expect(guestTeam.stderr).toMatch(/Forbidden/);
    const unknown = await runCli(['frobnicate'], alice());
    expect(unknown.code).not.toBe(0);
    const noServer = await runCli(['login', '--server', 'http://127.0.0.1:1', '--user', 'a', '--password', 'b'], { MICHAT_PROFILE: join(dir, 'y.json') });
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/cannot reach the server|fetch failed|ECONNREFUSED/);
  }, 60_000);

  it('has --help on every command', async () => {
    for (const cmd of [[], ['serve'], ['admin'], ['admin', 'init'], ['login'], ['team', 'create'], ['team', 'add'], ['team', 'list'], ['channel', 'create'], ['channel', 'join'], ['channel', 'add'], ['user', 'create'], ['send'], ['history'], ['tail']]) {
      const r = await runCli([...cmd, '--help'], {});
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: michat/);
    }
  }, 90_000);
});
