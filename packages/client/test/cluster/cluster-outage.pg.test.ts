import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, textObject } from '@michat/testkit';
import { nameToText, type ServerFrame } from '@michat/protocol';
import type { MichatClient, PublishResult } from '../../src/index.ts';
import { eventually, sleep } from '../fixture.ts';
import { startBackends, startCluster, type Cluster } from './cluster-fixture.ts';

const OUTAGE_MS = 10_000;
const PACE_MS = 50;
/** Bounds every loop: at most this many messages per publisher whatever the timing. */
const MAX_PER_PUBLISHER = 1_500;

describe('a cluster heals from Redis and PostgreSQL outages', () => {
  let backends: Awaited<ReturnType<typeof startBackends>>;
  let cluster: Cluster;
  beforeAll(async () => {
    backends = await startBackends();
    cluster = await startCluster(backends, 3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await backends?.stop();
  });

  it('Redis down 10 s, then PostgreSQL down 10 s: nothing acknowledged is lost, errors are typed and retryable, every client completes', async () => {
    const heartbeat = { heartbeat: { minMs: 500, maxMs: 1_000 } };
    const publishers: MichatClient[] = [];
    for (let i = 0; i < 3; i++) publishers.push(await cluster.user(`writer${i}`, i, heartbeat));
    const watcher = await cluster.user('watcher', 2, heartbeat);
    const probeUser = await cluster.user('probe', 1, heartbeat);
    const everyone = [...publishers, watcher];
    const channel = await cluster.channel([...everyone, probeUser]);
    const received = everyone.map(() => new Map<string, number>());
    const subs = everyone.map((c, i) => c.subscribe(channel, (o) => received[i]!.set(nameToText(o.name), (received[i]!.get(nameToText(o.name)) ?? 0) + 1)));
    await Promise.all(subs.map((s) => s.ready));

    // Writers queue a message every PACE_MS through their own node, without waiting for acks.
    let writing = true;
    const pending: Array<Promise<PublishResult>> = [];
    const writers = publishers.map(async (c, p) => {
      for (let n = 0; writing && n < MAX_PER_PUBLISHER; n++) {
        pending.push(c.sendText(channel, `w${p} #${n}`));
        await sleep(PACE_MS);
      }
    });

    // A bare protocol client publishes too and records exactly what the server answered.
    const probe = await RawClient.connect(cluster.nodes[1]!.wsUrl, probeUser.session.accessToken);
    const answers: Array<{ phase: string; frame: ServerFrame }> = [];
    const acked = new Set<string>();
    const refusedObjects: Uint8Array[] = [];
    let seq = 0;
    const probeFor = async (phase: string, ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const obj = textObject(channel, probeUser.session, ++seq, `probe ${phase}`);
        const frame = await probe.request({ t: 'pub', id: seq, obj: obj.bytes }, 15_000);
        answers.push({ phase, frame });
        if (frame.t === 'ack') acked.add(nameToText(obj.name));
        else refusedObjects.push(obj.bytes);
        await sleep(250);
      }
    };

    await probeFor('before', 2_000);
    await cluster.redis.kill('SIGKILL');
    await probeFor('redis down', OUTAGE_MS);
    await cluster.redis.restart();
    await probeFor('redis back', 3_000);
    await cluster.pg.kill('SIGKILL');
    await probeFor('postgres down', OUTAGE_MS);
    await cluster.pg.restart();
    // The node's pool reconnects by itself: the probe's publishes are acknowledged again.
    await eventually(async () => {
      const obj = textObject(channel, probeUser.session, ++seq, 'probe recovered');
      const frame = await probe.request({ t: 'pub', id: seq, obj: obj.bytes }, 15_000);
      answers.push({ phase: 'postgres back', frame });
      if (frame.t === 'ack') acked.add(nameToText(obj.name));
      return frame.t === 'ack';
    }, 30_000, 'publishes accepted after PostgreSQL returned');
    writing = false;
    await Promise.all(writers);
    // As any client does, the probe retries what was refused, with the same name and bytes:
    // each is stored once (a write whose outcome the outage hid is acknowledged as a dup).
    for (const [i, bytes] of refusedObjects.entries()) {
      const frame = await probe.request({ t: 'pub', id: 1_000_000 + i, obj: bytes }, 15_000);
      expect(frame.t).toBe('ack');
      if (frame.t === 'ack') acked.add(nameToText(frame.name));
    }

    // Redis down: publishes stayed durable in PostgreSQL and were acknowledged.
    const during = (phase: string) => answers.filter((a) => a.phase === phase).map((a) => a.frame);
    expect(during('redis down').length).toBeGreaterThan(10);
    expect(during('redis down').every((f) => f.t === 'ack')).toBe(true);
    // PostgreSQL down: refused with a typed error that says to retry, never acknowledged.
    const refused = during('postgres down');
    expect(refused.length).toBeGreaterThan(3);
    for (const f of refused) {
      expect(f).toMatchObject({ t: 'err', kind: 'Unavailable' });
      expect(f.t === 'err' && f.retryAfterMs).toBeGreaterThan(0);
    }

    // Every writer's queued message is eventually acknowledged (the SDK retried), and every
    // client ends with every acknowledged message exactly once.
    const results = await Promise.all(pending);
    for (const r of results) acked.add(nameToText(r.object.name));
    expect(results.length).toBeGreaterThan(3 * ((2 * OUTAGE_MS) / PACE_MS) * 0.5);
    await eventually(() => received.every((r) => [...acked].every((name) => r.has(name))), 60_000, 'every client complete');
    for (const r of received) {
      expect([...r.values()].every((n) => n === 1)).toBe(true);
      expect(r.size).toBe(acked.size);
    }
    probe.close();
  }, 240_000);
});
