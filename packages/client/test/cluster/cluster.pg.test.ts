import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, channelPrefix, textObject } from '@michat/testkit';
import { nameToText, type Channel, type MichatObject } from '@michat/protocol';
import type { MichatClient } from '../../src/index.ts';
import { eventually } from '../fixture.ts';
import { startBackends, startCluster, type Cluster } from './cluster-fixture.ts';

/** Heartbeats far apart: what arrives within a test's first seconds came live, not by healing. */
const SLOW_HEARTBEAT = { heartbeat: { minMs: 20_000, maxMs: 25_000 } };

describe('a cluster of nodes on PostgreSQL and Redis acts as one server', () => {
  let backends: Awaited<ReturnType<typeof startBackends>>;
  let cluster: Cluster;
  beforeAll(async () => {
    backends = await startBackends();
    cluster = await startCluster(backends, 3, { connection: { ratePerSec: 5_000, burst: 5_000 } });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await backends?.stop();
  });

  it('a message published through node A reaches a subscriber on node B live, and so does typing', async () => {
    const alice = await cluster.user('alice', 0, SLOW_HEARTBEAT);
    const bob = await cluster.user('bob', 1, SLOW_HEARTBEAT);
    const channel = await cluster.channel([alice, bob]);
    const got: MichatObject[] = [];
    const sub = bob.subscribe(channel, (o) => got.push(o));
    await sub.ready;

    const started = Date.now();
    const sent = await alice.sendText(channel, 'hello from node A');
    await eventually(() => got.length === 1, 5_000, 'live delivery across nodes');
    expect(Date.now() - started).toBeLessThan(5_000); // long before bob's first heartbeat
    expect(nameToText(got[0]!.name)).toBe(nameToText(sent.object.name));

    const typing: string[] = [];
    bob.onTyping((e) => typing.push(e.user));
    await eventually(() => alice.typing(channel), 5_000, 'alice connected');
    await eventually(() => typing.includes('alice'), 5_000, 'typing across nodes');
  });

  it('presence is cluster-wide: users on different nodes see each other come and go', async () => {
    const fast = { heartbeat: { minMs: 200, maxMs: 400 } };
    const frank = await cluster.user('frank', 0, fast);
    const grace = await cluster.user('grace', 2, fast);
    const channel = await cluster.channel([frank, grace]);
    await frank.subscribe(channel, () => undefined).ready;
    await eventually(() => frank.presence(channel).some((m) => m.user === 'frank'), 5_000, 'frank present for himself');
    // grace subscribes later: her snapshot, read from Redis, already lists frank on node A.
    await grace.subscribe(channel, () => undefined).ready;
    await eventually(() => grace.presence(channel).some((m) => m.user === 'frank'), 5_000, 'frank present for grace');
    await eventually(() => frank.presence(channel).some((m) => m.user === 'grace'), 5_000, 'grace present for frank');
    grace.leave(channel);
    await eventually(() => !frank.presence(channel).some((m) => m.user === 'grace'), 5_000, 'grace gone for frank');
  });

  it('signing out everywhere through node A closes the user’s socket on node B within seconds', async () => {
    const carol = await cluster.user('carol', 2);
    const onB = await RawClient.connect(cluster.nodes[1]!.wsUrl, carol.session.accessToken);
    const res = await fetch(`${cluster.nodes[0]!.url}/api/auth/logout-everywhere`, { method: 'POST', headers: { authorization: `Bearer ${carol.session.accessToken}` } });
    expect(res.status).toBeLessThan(300);
    const closed = await Promise.race([onB.closed, new Promise<undefined>((r) => setTimeout(r, 5_000))]);
    expect(closed?.code).toBe(4409);
    // And no node takes that token any more.
    for (const node of cluster.nodes) {
      const me = await fetch(`${node.url}/api/me`, { headers: { authorization: `Bearer ${carol.session.accessToken}` } });
      expect(me.status).toBe(401);
    }
  });

  it('a member removed through node A stops receiving on node B at once; an archive on A is read-only on C', async () => {
    const dave = await cluster.user('dave', 1);
    const erin = await cluster.user('erin', 2);
    const channel: Channel = await cluster.channel([dave, erin]);
    const daveRaw = await RawClient.connect(cluster.nodes[1]!.wsUrl, dave.session.accessToken);
    const prefix = channelPrefix(channel);
    expect((await daveRaw.request({ t: 'sub', id: 1, prefix, bits: 72 })).t).toBe('subok');
    const erinRaw = await RawClient.connect(cluster.nodes[2]!.wsUrl, erin.session.accessToken);
    expect((await erinRaw.request({ t: 'pub', id: 1, obj: textObject(channel, erin.session, 1, 'one').bytes })).t).toBe('ack');
    await daveRaw.until(() => daveRaw.received.some((f) => f.t === 'obj'), 5_000);

    expect(await cluster.call(0, 'DELETE', `/api/channels/${channel.id}/members/${dave.session.userId}`)).toBeLessThan(300);
    const ended = await daveRaw.next((f) => f.t === 'err' && f.kind === 'Forbidden', 5_000);
    expect(ended).toMatchObject({ t: 'err', kind: 'Forbidden', bits: 72 });
    const objsBefore = daveRaw.received.filter((f) => f.t === 'obj').length;
    expect((await erinRaw.request({ t: 'pub', id: 2, obj: textObject(channel, erin.session, 2, 'two').bytes })).t).toBe('ack');

    expect(await cluster.call(0, 'PATCH', `/api/channels/${channel.id}`, { archived: true })).toBeLessThan(300);
    // The bus carries the change in milliseconds; each attempt is a new message (a retry of a
    // stored one would be acknowledged again as a duplicate, archived or not).
    let seq = 3;
    await eventually(async () => {
      const answer = await erinRaw.request({ t: 'pub', id: seq, obj: textObject(channel, erin.session, seq++, 'after the archive').bytes });
      return answer.t === 'err' && answer.kind === 'Forbidden';
    }, 5_000, 'the archive seen on node C');
    expect(daveRaw.received.filter((f) => f.t === 'obj').length).toBe(objsBefore); // 'two' never reached dave
  });

  it('three nodes, clients spread across them, 10,000 messages: every client ends with every message exactly once', async () => {
    const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'watcher'];
    const clients: MichatClient[] = [];
    for (const [i, name] of names.entries()) clients.push(await cluster.user(name, i % 3, { heartbeat: { minMs: 1_000, maxMs: 2_000 } }));
    const channel = await cluster.channel(clients);
    const received = clients.map(() => new Map<string, number>());
    const subs = clients.map((c, i) => c.subscribe(channel, (o) => received[i]!.set(nameToText(o.name), (received[i]!.get(nameToText(o.name)) ?? 0) + 1)));
    await Promise.all(subs.map((s) => s.ready));

    const perPublisher = 2_000;
    const publishers = clients.slice(0, 5);
    const sent = new Set<string>();
    await Promise.all(
      publishers.map(async (c, p) => {
        for (let start = 0; start < perPublisher; start += 100) {
          const batch = await Promise.all(Array.from({ length: 100 }, (_, k) => c.sendText(channel, `m ${p}/${start + k}`)));
          for (const r of batch) sent.add(nameToText(r.object.name));
        }
      }),
    );
    expect(sent.size).toBe(10_000);
    await eventually(() => received.every((r) => r.size === 10_000), 60_000, 'every client complete');
    for (const r of received) {
      expect([...r.keys()].sort()).toEqual([...sent].sort());
      expect([...r.values()].every((n) => n === 1)).toBe(true);
    }
  }, 180_000);
});
