import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, startPostgres, startRedis, textObject, channelPrefix, type PostgresServer, type RedisServer } from '@michat/testkit';
import type { Channel, ServerFrame, Session } from '@michat/protocol';
import { runCli, serveCli, type CliServer } from './run-cli.ts';

const PASSWORD = 'a long enough secret';

/** `michat serve --database … --redis …` as an operator starts it: two nodes, one deployment. */
describe('michat serve in cluster mode', () => {
  let pg: PostgresServer;
  let redis: RedisServer;
  let databaseUrl: string;
  const prefix = `cli/${randomUUID()}/`;
  const nodes: CliServer[] = [];
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    databaseUrl = await pg.createDatabase();
  }, 60_000);
  afterAll(async () => {
    for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.exited));
    await Promise.allSettled([pg?.stop(), redis?.stop()]);
  });

  const api = async <T>(node: CliServer, method: string, path: string, body?: unknown, token?: string): Promise<T> => {
    const res = await fetch(node.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };

  it('the member tool sets up the database, two nodes serve it, and a message crosses from one to the other', async () => {
    const init = await runCli(['admin', 'init', '--database', databaseUrl, '--org', 'acme', '--user', 'admin', '--password', PASSWORD]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/created organization "acme"/);
    nodes.push(await serveCli(undefined, ['--database', databaseUrl, '--redis', redis.url, '--cluster-prefix', prefix]));
    // The second node takes its settings from the environment instead.
    nodes.push(await serveCli(undefined, [], { MICHAT_DATABASE_URL: databaseUrl, MICHAT_REDIS_URL: redis.url, MICHAT_CLUSTER_PREFIX: prefix }));
    const [a, b] = nodes as [CliServer, CliServer];

    const admin = await api<Session>(a, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD });
    const team = await api<{ id: number }>(b, 'POST', '/api/teams', { name: 'ops' }, admin.accessToken);
    const channel = await api<Channel>(b, 'POST', `/api/teams/${team.id}/channels`, { name: 'general' }, admin.accessToken);
    const onA = await RawClient.connect(a.wsUrl, admin.accessToken);
    expect((await onA.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: 72 })).t).toBe('subok');
    const onB = await RawClient.connect(b.wsUrl, admin.accessToken);
    expect((await onB.request({ t: 'pub', id: 1, obj: textObject(channel, admin, 1, 'across').bytes })).t).toBe('ack');
    await onA.until(() => onA.received.some((f) => f.t === 'obj'), 5_000);

    // Revoking with the member tool on the database (and the bus) closes sockets on every node.
    const revoke = await runCli(['admin', 'session', 'revoke', 'admin', '--database', databaseUrl, '--redis', redis.url, '--cluster-prefix', prefix]);
    expect(revoke.code, revoke.stderr).toBe(0);
    const closed = await Promise.all([onA.closed, onB.closed].map((p) => Promise.race([p, new Promise<undefined>((r) => setTimeout(r, 5_000))])));
    expect(closed.map((c) => c?.code)).toEqual([4409, 4409]);
  }, 90_000);

  it('rotating the signing key with the member tool: every node signs new tokens with it at once', async () => {
    const [a, b] = nodes as [CliServer, CliServer];
    const rotated = await runCli(['admin', 'keys', 'rotate', '--json', '--database', databaseUrl, '--redis', redis.url, '--cluster-prefix', prefix]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const { kid } = JSON.parse(rotated.stdout) as { kid: string };
    const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
    // Without the bus, a node would sign with its cached key for up to a minute.
    for (const node of [a, b]) {
      await expect.poll(async () => kidOf((await api<Session>(node, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD })).accessToken), { timeout: 3_000, interval: 100 }).toBe(kid);
    }
    const jwks = await api<{ keys: Array<{ kid: string }> }>(b, 'GET', '/.well-known/jwks.json');
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
  });

  it('a node that crashes: users present through it are gone for the other nodes once their presence expires', async () => {
    const [a] = nodes as [CliServer];
    const doomed = await serveCli(undefined, ['--database', databaseUrl, '--redis', redis.url, '--cluster-prefix', prefix]);
    nodes.push(doomed); // stopped by afterAll if this test fails before killing it
    // Signed in again (the revocation above signed the admin out everywhere).
    const admin = await api<Session>(a, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD });
    const team = await api<{ id: number }>(a, 'POST', '/api/teams', { name: 'presence' }, admin.accessToken);
    const channel = await api<Channel>(a, 'POST', `/api/teams/${team.id}/channels`, { name: 'general' }, admin.accessToken);
    const watch = { prefix: channelPrefix(channel), bits: 72 };
    const observer = await RawClient.connect(a.wsUrl, admin.accessToken);
    expect((await observer.request({ t: 'sub', id: 1, ...watch })).t).toBe('subok');
    const second = await api<Session>(a, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD }); // another device
    const viaDoomed = await RawClient.connect(doomed.wsUrl, second.accessToken);
    viaDoomed.send({ t: 'hb', status: 'active', watch: [{ ...watch, digest: '0000000000000000' }] });
    const isChange = (status: string) => (f: ServerFrame) => f.t === 'presence' && f.change?.device === second.deviceId && f.change.status === status;
    await observer.next(isChange('active'), 5_000);

    doomed.child.kill('SIGKILL'); // no 'gone' is ever sent by that node
    await doomed.exited;
    // Its entry in Redis expires (presence TTL, ~21 s) and node A's reconciliation, finding
    // it missing twice (~6 s apart), says so.
    await observer.next(isChange('gone'), 50_000);
  }, 90_000);

  it('refuses settings that cannot work, with a clear message', async () => {
    const redisOnly = await runCli(['serve', '--port', '0', '--redis', redis.url]);
    expect(redisOnly.code).not.toBe(0);
    expect(redisOnly.stderr).toMatch(/Redis URL needs a database URL/);
    const mysql = await runCli(['serve', '--port', '0', '--database', 'mysql://127.0.0.1/x']);
    expect(mysql.code).not.toBe(0);
    expect(mysql.stderr).toMatch(/database URL must start with postgres:\/\//);
    const unreachable = await runCli(['serve', '--port', '0', '--database', 'postgres://127.0.0.1:1/michat']);
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toMatch(/cannot open the database at 127.0.0.1:1: connection refused/);
    const noRedis = await runCli(['serve', '--port', '0', '--database', databaseUrl, '--redis', 'redis://127.0.0.1:1']);
    expect(noRedis.code).not.toBe(0);
    expect(noRedis.stderr).toMatch(/cannot reach Redis at 127.0.0.1:1/);
  }, 60_000);
});
