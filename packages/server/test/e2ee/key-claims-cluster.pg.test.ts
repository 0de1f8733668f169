import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_RATE_LIMITS, initOrganization } from '@michat/core';
import type { Session } from '@michat/protocol';
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '@michat/testkit';
import { startServer, type RunningServer } from '../../src/index.ts';
import { PASSWORD } from '../fixture.ts';
import { claim, fakeKeyPackages, httpApi, ok, registerKey, stock, upload } from './key-helpers.ts';

/** Three nodes sharing one PostgreSQL (and one Redis bus), as `michat serve --database … --redis …` runs them. */
describe('KeyPackage claims across a cluster', () => {
  let pg: PostgresServer;
  let redis: RedisServer;
  const nodes: RunningServer[] = [];
  const api = (node: number) => httpApi(nodes[node % nodes.length]!.url);
  let admin: Session;
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    const shared = { host: '127.0.0.1', port: 0, dataDir: undefined, databaseUrl: await pg.createDatabase(), redisUrl: redis.url, clusterPrefix: `test/${randomUUID()}/`, logLevel: 'silent', drainMs: 200, rateLimits: NO_RATE_LIMITS };
    for (let i = 0; i < 3; i++) nodes.push(await startServer(shared));
    await initOrganization(nodes[0]!.node.directory, { org: 'acme', username: 'admin', password: PASSWORD });
    admin = await login(0, 'admin');
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await Promise.allSettled([pg?.stop(), redis?.stop()]);
  });

  async function login(node: number, username: string): Promise<Session> {
    return ok<Session>(api(node)('POST', '/api/auth/login', { username, password: PASSWORD }));
  }
  async function user(node: number, username: string): Promise<Session> {
    await ok(api(0)('POST', '/api/users', { username, password: PASSWORD }, admin.accessToken));
    return login(node, username);
  }

  it('1,000 claims spread over 3 nodes for 100 one-time KeyPackages: each handed out exactly once', async () => {
    const devices: Session[] = [];
    for (let i = 0; i < 10; i++) devices.push(i < 2 ? await user(i, `owner${i}`) : await login(i, `owner${i % 2}`));
    const uploaded = new Set<string>();
    for (const [i, d] of devices.entries()) {
      await registerKey(api(i), d);
      const kps = fakeKeyPackages(10);
      expect(await upload(api(i), d, kps)).toBe(10);
      for (const kp of kps) uploaded.add(kp);
    }
    const claimers: Session[] = [];
    for (let i = 0; i < 6; i++) claimers.push(await user(i, `claimer${i}`));

    // Claim i goes to node i % 3 for device i % 10, so every device is claimed through every node at once.
    const answers = await Promise.all(Array.from({ length: 1_000 }, (_, i) => claim(api(i), claimers[i % claimers.length]!, [devices[i % devices.length]!.deviceId])));
    const handedOut = answers.flat();
    expect(handedOut.every((k) => !k.lastResort)).toBe(true);
    expect(handedOut).toHaveLength(100);
    expect(new Set(handedOut.map((k) => k.keyPackage))).toEqual(uploaded);
    for (const d of devices) expect(handedOut.filter((k) => k.deviceId === d.deviceId)).toHaveLength(10);
    for (const [i, d] of devices.entries()) expect(await stock(api(i + 1), d)).toEqual({ stock: 0, lastResort: false });
  }, 60_000);

  it('uploads at once for one device through one node stay within 200 KeyPackages', async () => {
    const owner = await user(2, 'uploader');
    await registerKey(api(2), owner);
    const answers = await Promise.all([0, 1, 2].map(() => api(2)('POST', '/api/keypackages', { keyPackages: fakeKeyPackages(100, 50) }, owner.accessToken)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 400]);
    expect(await stock(api(0), owner)).toEqual({ stock: 200, lastResort: false });
  });

  it('a device signed out through one node: its KeyPackages are deleted, and no node hands out any once it has heard', async () => {
    const owner = await user(0, 'leaver');
    await registerKey(api(0), owner);
    await upload(api(0), owner, fakeKeyPackages(3), fakeKeyPackages(1)[0]);
    const claimer = await user(1, 'watcher');
    expect(await claim(api(1), claimer, [owner.deviceId])).toHaveLength(1); // node B now holds the device as signed in
    expect((await api(0)('DELETE', `/api/devices/${owner.deviceId}`, undefined, owner.accessToken)).status).toBe(204);

    const kv = nodes[0]!.node.kv;
    const left = async () => [...(await kv.list(`d/kp/${owner.deviceId}/`)), ...(await kv.list(`d/kplr/${owner.deviceId}`))].length;
    await expect.poll(left, { timeout: 5_000 }).toBe(0);
    // The bus tells the other nodes at once; even what a cleanup missed is then never handed out.
    for (const n of [1, 2]) await expect.poll(() => nodes[n]!.node.deviceKeys.isSignedIn(owner.userId, owner.deviceId), { timeout: 5_000 }).toBe(false);
    await kv.put(`d/kp/${owner.deviceId}/00000000000000ff`, Uint8Array.of(1, 2, 3));
    await kv.put(`d/kplr/${owner.deviceId}`, Uint8Array.of(4, 5, 6));
    for (const n of [0, 1, 2]) expect(await claim(api(n), claimer, [owner.deviceId])).toEqual([]);
  });
});
