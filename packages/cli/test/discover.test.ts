import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort } from '@michat/testkit';
import { runCli, serveCli, type CliServer } from './run-cli.ts';


/**
 * `michat serve --announce` and `michat discover`. Multicast does not reach loopback on a
 * test machine, so both sides use the unicast form of the same DNS-SD queries.
 */
describe('finding a server on the local network', () => {
  let dir: string;
  let server: CliServer;
  let responder: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'michat-discover-'));
    responder = `127.0.0.1:${await freeUdpPort()}`;
    const init = await runCli(['admin', 'init', '--data', join(dir, 'data'), '--org', 'acme', '--user', 'alice', '--password', 'wonderland42']);
    expect(init.code, init.stderr).toBe(0);
    server = await serveCli(join(dir, 'data'), ['--announce', 'Harbour office', '--announce-unicast', responder]);
  }, 60_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('discover lists the announced server, and signing in at the URL it gives works', async () => {
    const r = await runCli(['discover', '--unicast', responder, '--timeout', '700', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const found = JSON.parse(r.stdout) as Array<{ name: string; kind: string; url: string }>;
    expect(found).toEqual([expect.objectContaining({ name: 'Harbour office', kind: 'server', url: server.url })]);
    const login = await runCli(['login', '--server', found[0]!.url, '--user', 'alice', '--password', 'wonderland42'], { MICHAT_PROFILE: join(dir, 'alice.json') });
    expect(login.code, login.stderr).toBe(0);
  });

  it('says so when nothing answers, and refuses a malformed address', async () => {
    const none = await runCli(['discover', '--unicast', `127.0.0.1:${await freeUdpPort()}`, '--timeout', '300']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/nothing found/);
    const bad = await runCli(['discover', '--unicast', 'nowhere']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/expected HOST:PORT/);
  });
});
