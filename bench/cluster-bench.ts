/**
 * michat cluster benchmark. Not a test: no thresholds, no pass/fail; it prints what it measured.
 * Run from the repository root: `npm run bench:cluster`; options: `npm run -w bench bench:cluster -- --help`.
 * Method and numbers: docs/benchmarks.md, "Cluster: 1, 2, 3 nodes".
 *
 * Fan-out across nodes, at 1, 2 and 3 nodes, side by side with the same load against
 *   - michat in cluster mode (bench/michat-server.ts --database --redis --prefix): every node
 *     on one PostgreSQL database (ack after commit, auth on) and one Redis bus, and
 *   - Socket.IO with its Redis adapter (bench/peers/socketio-cluster-server.ts): a room on
 *     every node, `io.to(room).emit`, no auth, no storage, no ack.
 * S subscribers in one channel/room and P publishers, both spread round-robin over the
 * nodes; each publisher sends M messages per round, windowed (throughput) and paced
 * (latency). PostgreSQL and Redis are started here from the installed binaries.
 *
 * Where things run: every node is a child process (fork); PostgreSQL and Redis are server
 * processes; this process is the load generator (all client sockets). All share the cores.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { io as ioClient } from 'socket.io-client';
import type WebSocket from 'ws';
import { decodeServerFrame } from '@michat/protocol';
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '@michat/testkit';
import { startChild, type ServerChild } from './lib/child.ts';
import { sampleUsage, type UsageSample } from './lib/child-ipc.ts';
import { QUIET_PERCENT, awaitQuiet, commitMeasured, machineBusyPercent, machineInfo, machineTimes, usageBetween, type SideUsage } from './lib/machine.ts';
import { PAYLOAD_BYTES, hasTail, messageText, parseTail, tailTs } from './lib/message-tail.ts';
import { MichatApi, benchChannel, channelName, join, pubFrame } from './lib/michat-bootstrap.ts';
import { inBatches, michatConnect, michatSubscribe, openSocket, sleep } from './lib/sockets.ts';
import { round, summarize, table, type LatencySummary } from './lib/stats.ts';

// ---- options ----------------------------------------------------------------------------

const { values: opt } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1,2,3' },
    subscribers: { type: 'string', default: '300' },
    'subscriber-users': { type: 'string', default: '3' },
    publishers: { type: 'string', default: '4' },
    messages: { type: 'string', default: '100' },
    window: { type: 'string', default: '2' },
    rate: { type: 'string', default: '40' },
    'paced-messages': { type: 'string', default: '20' },
    warmup: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`npm run -w bench bench:cluster -- [options]   (from the repository root)
  --nodes LIST           node counts to measure (1,2,3)
  --subscribers N        subscribers in the one channel/room, round-robin over the nodes (300)
  --subscriber-users N   michat users they log in as; each user's token is reused (3)
  --publishers N         publishers, round-robin over the nodes; michat: one device each (4)
  --messages N           windowed shape: messages per publisher per round (100)
  --window N             windowed shape: messages per publisher whose fan-out is incomplete, at most (2)
  --rate N               paced shape: messages per second over all publishers (40; 0 skips it)
  --paced-messages N     paced shape: messages per publisher per round (20)
  --warmup N             warm-up messages per publisher, per system and node count (20)
  --rounds N             rounds per shape; the systems' rounds alternate (2)
  --only michat|socketio measure one system`);
  process.exit(0);
}
const int = (v: string | undefined, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not ${v}`);
  return n;
};
const NODE_COUNTS = (opt.nodes ?? '').split(',').map((v) => Math.max(1, int(v.trim(), 'nodes')));
const SUBSCRIBERS = Math.max(1, int(opt.subscribers, 'subscribers'));
const SUBSCRIBER_USERS = Math.max(1, int(opt['subscriber-users'], 'subscriber-users'));
const PUBLISHERS = Math.max(1, int(opt.publishers, 'publishers'));
const MESSAGES = int(opt.messages, 'messages');
const WINDOW = Math.max(1, int(opt.window, 'window'));
const RATE = int(opt.rate, 'rate');
const PACED_MESSAGES = int(opt['paced-messages'], 'paced-messages');
const WARMUP = int(opt.warmup, 'warmup');
const ROUNDS = Math.max(1, int(opt.rounds, 'rounds'));
type System = 'michat' | 'socket.io';
if (opt.only !== undefined && opt.only !== 'michat' && opt.only !== 'socketio') throw new Error(`--only michat|socketio, not ${opt.only}`);
const SYSTEMS: System[] = opt.only === 'michat' ? ['michat'] : opt.only === 'socketio' ? ['socket.io'] : ['michat', 'socket.io'];

/** A run that makes no progress for this long stops and reports what is missing. */
const STALL_MS = 15_000;
/** No run takes longer than this. */
const RUN_CAP_MS = 60_000;
const CONNECT_CONCURRENCY = 50;
const RESULTS_DIR = new URL('./results/', import.meta.url);
const MICHAT_SERVER = new URL('./michat-server.ts', import.meta.url);
const SOCKETIO_SERVER = new URL('./peers/socketio-cluster-server.ts', import.meta.url);

// ---- a cluster of either system, as the load generator sees it --------------------------

interface PublisherEvents {
  /** michat only: message `k` was committed and acknowledged. */
  ack(k: number): void;
  failed(k: number, why: string): void;
}

interface Cluster {
  system: System;
  nodes: ServerChild[];
  /** Bytes a delivered frame has after the payload's closing `"}`. */
  trailing: number;
  /** Opens subscriber `i` on node i mod n; `onData` sees every frame first. Resolves once subscribed. */
  subscribe(i: number, onData: (data: Buffer) => boolean): Promise<void>;
  /** Opens publisher `p` on node p mod n; resolves to its send(message number). */
  publisher(p: number, events: PublisherEvents): Promise<(k: number) => void>;
  /** Decodes one delivery fully; throws unless it is message `k`. */
  check(data: Buffer, k: number): void;
  close(): Promise<void>;
}

const freshPrefix = (system: string, n: number) => `bench-${system}-${n}-${randomBytes(4).toString('hex')}/`;

/** `n` michat nodes on a fresh database and bus prefix; the org, users and channel made over HTTP. */
async function michatCluster(n: number, postgres: PostgresServer, redisUrl: string): Promise<Cluster> {
  const args = ['--database', await postgres.createDatabase(), '--redis', redisUrl, '--prefix', freshPrefix('michat', n)];
  const nodes: ServerChild[] = [];
  const sockets: WebSocket[] = [];
  const close = async () => {
    for (const ws of sockets) ws.terminate();
    await Promise.all(nodes.map((s) => s.stop()));
  };
  try {
    // The first node creates the schema and the org; the others join the same database.
    nodes.push(await startChild(MICHAT_SERVER, args));
    for (let i = 1; i < n; i++) nodes.push(await startChild(MICHAT_SERVER, [...args, '--no-init']));
    const api = new MichatApi(nodes[0]!.url);
    const readers = Array.from({ length: SUBSCRIBER_USERS }, (_, i) => `reader${i + 1}`);
    const bench = await benchChannel(api, ['writer', ...readers]);
    const channel = channelName(bench.channel);
    const readerSessions = await Promise.all(readers.map((u) => api.login(u, `bench-${u}`)));
    // One login per publisher: each is its own device (its own name stream).
    const writerSessions = await Promise.all(Array.from({ length: PUBLISHERS }, (_, p) => api.login('writer', `bench-writer-${p + 1}`)));
    for (const s of [writerSessions[0]!, ...readerSessions]) await join(api, bench.channel, s);
    return {
      system: 'michat',
      nodes,
      trailing: 0,
      async subscribe(i, onData) {
        const ws = await openSocket(nodes[i % n]!.wsUrl);
        sockets.push(ws);
        ws.on('error', () => undefined);
        await michatSubscribe(ws, readerSessions[i % readerSessions.length]!.accessToken, channel, onData, `michat subscriber ${i}`);
      },
      async publisher(p, events) {
        const session = writerSessions[p]!;
        const ws = await michatConnect(nodes[p % n]!.wsUrl, session.accessToken);
        sockets.push(ws);
        ws.on('message', (data: Buffer) => {
          const d = decodeServerFrame(data);
          if (!d.ok) return;
          if (d.frame.t === 'ack') events.ack(d.frame.id);
          else if (d.frame.t === 'err' && d.frame.id !== undefined) events.failed(d.frame.id, `${d.frame.kind} ${d.frame.msg}`);
        });
        let seq = 0;
        return (k) => ws.send(pubFrame(channel, session.deviceId, ++seq, k, messageText(k)));
      },
      check(data, k) {
        const d = decodeServerFrame(data);
        if (!d.ok || d.frame.t !== 'obj') throw new Error(`michat delivered something that is not an obj frame: ${d.ok ? d.frame.t : d.error.message}`);
        if (!hasTail(Buffer.from(d.frame.obj).toString('utf8'), k)) throw new Error('michat delivery does not match its message');
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * `n` Socket.IO nodes on one Redis (fresh adapter prefix). Publishers use socket.io-client;
 * subscribers speak the Engine.IO/Socket.IO protocol on a plain WebSocket (open, connect,
 * `join` with an ack, answer pings), so that receiving costs the load generator what it
 * costs on the michat side: a look at the frame's last bytes.
 */
async function socketioCluster(n: number, redisUrl: string): Promise<Cluster> {
  const prefix = freshPrefix('sio', n);
  const nodes: ServerChild[] = [];
  const sockets: WebSocket[] = [];
  const clients: Array<ReturnType<typeof ioClient>> = [];
  const close = async () => {
    for (const ws of sockets) ws.terminate();
    for (const c of clients) c.disconnect();
    await Promise.all(nodes.map((s) => s.stop()));
  };
  try {
    for (let i = 0; i < n; i++) nodes.push(await startChild(SOCKETIO_SERVER, ['--redis', redisUrl, '--prefix', prefix]));
    return {
      system: 'socket.io',
      nodes,
      trailing: 1, // 42["msg",{"type":"text","text":"…"}]
      async subscribe(i, onData) {
        const ws = await openSocket(nodes[i % n]!.wsUrl);
        sockets.push(ws);
        ws.on('error', () => undefined);
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`socket.io subscriber ${i}: not in the room within 30 s`)), 30_000);
          ws.on('message', (data: Buffer) => {
            if (onData(data)) return;
            const s = data.toString('utf8');
            if (s === '2') ws.send('3'); // Engine.IO ping → pong
            else if (s.startsWith('40')) ws.send('420["join"]'); // connected → emit join, ack id 0
            else if (s.startsWith('430')) {
              clearTimeout(t);
              resolve();
            } else if (s.startsWith('44')) reject(new Error(`socket.io subscriber ${i}: ${s}`));
          });
          // Connect to namespace / at once: Engine.IO's open packet may have come with the
          // upgrade response, before this handler was there.
          ws.send('40');
        });
      },
      async publisher(p) {
        const socket = ioClient(nodes[p % n]!.url, { transports: ['websocket'], forceNew: true, reconnection: false });
        clients.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        return (k) => void socket.emit('pub', { type: 'text', text: messageText(k) });
      },
      check(data, k) {
        const s = data.toString('utf8');
        const event = s.startsWith('42') ? (JSON.parse(s.slice(2)) as unknown) : undefined;
        if (!Array.isArray(event) || event[0] !== 'msg' || !hasTail(String((event[1] as { text?: unknown }).text), k)) throw new Error(`socket.io delivered something else: ${s.slice(0, 80)}`);
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

// ---- load: subscribers, publishers, phases -----------------------------------------------

interface Shape {
  name: string;
  /** Messages per publisher. */
  messages: number;
  /** Messages per publisher whose fan-out is incomplete, at most. */
  window: number;
  /** Messages per second over all publishers; 0: as fast as the window allows. */
  rate: number;
}

interface Usage {
  /** All nodes together, % of one core. */
  nodesCpuPercent: number;
  /** The busiest node's event loop, %. */
  nodeLoopMaxPercent: number;
  loadgen: SideUsage;
  redisCpuPercent: number;
  /** Machine busy, % of one core (up to cores × 100). */
  busyPercent: number;
  /** Busy minus nodes, load generator and Redis: PostgreSQL, the kernel's loopback work, other processes. */
  restPercent: number;
  /** Busy before the round (see awaitQuiet). */
  busyBeforePercent: number;
}

interface Round {
  round: number;
  messages: number;
  expectedDeliveries: number;
  deliveries: number;
  shortfall: number;
  subscribersShort: number;
  failedPublishes: number;
  timedOut: boolean;
  elapsedMs: number;
  deliveriesPerSec: number;
  latency: LatencySummary;
  ackLatency?: LatencySummary;
  usage: Usage;
}

interface Result {
  nodes: number;
  system: System;
  shape: string;
  messages: number;
  expectedDeliveries: number;
  deliveries: number;
  shortfall: number;
  failedPublishes: number;
  timedOut: boolean;
  elapsedMs: number;
  deliveriesPerSec: number;
  latency: LatencySummary;
  ackLatency?: LatencySummary;
  /** Means over the rounds. */
  usage: Usage;
  rounds: Round[];
}

interface Measured {
  round: Round;
  latencies: Float64Array;
  acks: Float64Array;
}

interface Side {
  cluster: Cluster;
  run(shape: Shape, round: number): Promise<Measured>;
  close(): Promise<void>;
}

/** Connects every subscriber and publisher to `cluster` and warms up; then runs rounds on demand. */
async function openSide(cluster: Cluster, n: number, redisCpu: () => Promise<number>): Promise<Side> {
  const label = `${cluster.system} × ${n}`;
  try {
    // Per-phase state, read by the hot handlers.
    let phase: { first: number; last: number; window: number; rate: number; measured: boolean } | undefined;
    let counts = new Uint16Array(0);
    let perSubscriber = new Uint32Array(SUBSCRIBERS);
    let latencies = new Float64Array(0);
    let sentAt = new Float64Array(0);
    let ackSamples: number[] = [];
    let delivered = 0;
    let completed = 0;
    let failed = 0;
    let startedAt = 0;
    let lastDelivery = 0;
    let lastProgress = 0;
    let phaseDone: (() => void) | undefined;
    let nextMessage = 1;
    let checked = false;
    const next = new Array<number>(PUBLISHERS).fill(0);
    const inFlight = new Array<number>(PUBLISHERS).fill(0);
    const pacers = new Array<NodeJS.Timeout | undefined>(PUBLISHERS).fill(undefined);
    const sends: Array<(k: number) => void> = [];

    // Message k belongs to publisher (k - first) mod P; its schedule (paced) is first + (k - first) / rate.
    const pump = (p: number) => {
      const ph = phase;
      if (!ph) return;
      while (inFlight[p]! < ph.window && next[p]! <= ph.last) {
        const k = next[p]!;
        if (ph.rate > 0) {
          const due = startedAt + ((k - ph.first) * 1000) / ph.rate;
          const now = performance.now();
          if (now < due) {
            pacers[p] ??= setTimeout(() => {
              pacers[p] = undefined;
              pump(p);
            }, due - now);
            return;
          }
        }
        next[p] = k + PUBLISHERS;
        inFlight[p]!++;
        sentAt[k - ph.first] = performance.now();
        sends[p]!(k);
      }
    };
    const complete = (k: number) => {
      const ph = phase!;
      const p = (k - ph.first) % PUBLISHERS;
      inFlight[p]!--;
      completed++;
      lastProgress = performance.now();
      if (completed === ph.last - ph.first + 1) phaseDone?.();
      else pump(p);
    };
    const onDelivery = (sub: number, data: Buffer): boolean => {
      const k = parseTail(data, cluster.trailing);
      if (k < 0 || !phase || k < phase.first || k > phase.last) return k >= 0;
      const now = performance.now();
      if (!checked) {
        checked = true;
        cluster.check(data, k);
      }
      if (phase.measured) latencies[delivered] = now - tailTs;
      delivered++;
      perSubscriber[sub]!++;
      lastDelivery = now;
      if (++counts[k - phase.first]! === SUBSCRIBERS) complete(k);
      return true;
    };
    const events: PublisherEvents = {
      ack(k) {
        if (phase?.measured && k >= phase.first && k <= phase.last) ackSamples.push(performance.now() - sentAt[k - phase.first]!);
      },
      failed(k, why) {
        if (!phase || k < phase.first || k > phase.last) return;
        console.error(`  ${label}: publish ${k} failed: ${why}`);
        failed++;
        complete(k);
      },
    };

    await inBatches(SUBSCRIBERS, CONNECT_CONCURRENCY, (i) => cluster.subscribe(i, (data) => onDelivery(i, data)));
    for (let p = 0; p < PUBLISHERS; p++) sends.push(await cluster.publisher(p, events));

    const runPhase = async (shape: Shape, measured: boolean): Promise<{ timedOut: boolean; elapsedMs: number; messages: number }> => {
      const count = shape.messages * PUBLISHERS;
      const first = nextMessage;
      nextMessage += count;
      phase = { first, last: first + count - 1, window: shape.window, rate: shape.rate, measured };
      counts = new Uint16Array(count);
      perSubscriber = new Uint32Array(SUBSCRIBERS);
      latencies = new Float64Array(measured ? count * SUBSCRIBERS : 0);
      sentAt = new Float64Array(count);
      ackSamples = [];
      delivered = 0;
      completed = 0;
      failed = 0;
      for (let p = 0; p < PUBLISHERS; p++) {
        next[p] = first + p;
        inFlight[p] = 0;
      }
      startedAt = performance.now();
      lastProgress = startedAt;
      lastDelivery = startedAt;
      let timedOut = false;
      await new Promise<void>((resolve) => {
        const watchdog = setInterval(() => {
          const now = performance.now();
          if (now - lastProgress > STALL_MS || now - startedAt > RUN_CAP_MS) {
            timedOut = true;
            finish();
          }
        }, 250);
        const finish = () => {
          clearInterval(watchdog);
          for (let p = 0; p < PUBLISHERS; p++) {
            if (pacers[p]) clearTimeout(pacers[p]);
            pacers[p] = undefined;
          }
          phaseDone = undefined;
          resolve();
        };
        phaseDone = finish;
        if (count === 0) finish();
        else for (let p = 0; p < PUBLISHERS; p++) pump(p);
      });
      phase = undefined;
      return { timedOut, elapsedMs: lastDelivery - startedAt, messages: count };
    };

    if (WARMUP > 0) {
      const w = await runPhase({ name: 'warm-up', messages: WARMUP, window: WINDOW, rate: 0 }, false);
      if (w.timedOut) console.error(`  ${label}: warm-up timed out after ${delivered} of ${w.messages * SUBSCRIBERS} deliveries`);
      await sleep(200);
    }

    const run = async (shape: Shape, roundNo: number): Promise<Measured> => {
      const busyBeforePercent = await awaitQuiet();
      const n0 = await Promise.all(cluster.nodes.map((s) => s.usage()));
      const l0 = sampleUsage();
      const m0 = machineTimes();
      const r0 = await redisCpu();
      const t0 = performance.now();
      const res = await runPhase(shape, true);
      const wallMs = performance.now() - t0;
      const r1 = await redisCpu();
      const m1 = machineTimes();
      const l1 = sampleUsage();
      const n1 = await Promise.all(cluster.nodes.map((s) => s.usage()));
      const nodeUsage = n0.map((a, i) => usageBetween(a, n1[i] as UsageSample));
      const loadgen = usageBetween(l0, l1);
      const nodesCpuPercent = nodeUsage.reduce((t, u) => t + u.cpuPercent, 0);
      const redisCpuPercent = round(((r1 - r0) / wallMs) * 100);
      const busyPercent = machineBusyPercent(m0, m1);
      const expected = res.messages * SUBSCRIBERS;
      let short = 0;
      for (const c of perSubscriber) if (c < res.messages) short++;
      const samples = latencies.slice(0, delivered);
      const acks = Float64Array.from(ackSamples);
      const r: Round = {
        round: roundNo,
        messages: res.messages,
        expectedDeliveries: expected,
        deliveries: delivered,
        shortfall: expected - delivered,
        subscribersShort: short,
        failedPublishes: failed,
        timedOut: res.timedOut,
        elapsedMs: round(res.elapsedMs, 1),
        deliveriesPerSec: round((delivered / res.elapsedMs) * 1000),
        latency: summarize(samples.slice()),
        ...(cluster.system === 'michat' ? { ackLatency: summarize(acks.slice()) } : {}),
        usage: {
          nodesCpuPercent,
          nodeLoopMaxPercent: Math.max(...nodeUsage.map((u) => u.eventLoopPercent)),
          loadgen,
          redisCpuPercent,
          busyPercent,
          restPercent: Math.max(0, round(busyPercent - nodesCpuPercent - loadgen.cpuPercent - redisCpuPercent)),
          busyBeforePercent,
        },
      };
      console.log(
        `  ${label.padEnd(13)} ${shape.name.padEnd(16)} round ${roundNo}: ${r.deliveries.toLocaleString('en-US')}/${expected.toLocaleString('en-US')} deliveries in ${Math.round(r.elapsedMs)} ms` +
          ` → ${r.deliveriesPerSec.toLocaleString('en-US')}/s, p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms` +
          ` (nodes CPU ${nodesCpuPercent}%, busiest loop ${r.usage.nodeLoopMaxPercent}%; load generator CPU ${loadgen.cpuPercent}%; Redis ${redisCpuPercent}%; rest ${r.usage.restPercent}%)` +
          `${r.failedPublishes ? ` ${r.failedPublishes} FAILED` : ''}${r.timedOut ? ' TIMED OUT' : ''}`,
      );
      await sleep(200);
      return { round: r, latencies: samples, acks };
    };
    return { cluster, run, close: () => cluster.close() };
  } catch (e) {
    await cluster.close();
    throw e;
  }
}

/** Pools rounds: deliveries over summed time, latency over every sample, usage as means. */
function pool(nodes: number, system: System, shape: Shape, all: Measured[]): Result {
  const rs = all.map((m) => m.round);
  const sum = (f: (r: Round) => number) => rs.reduce((t, r) => t + f(r), 0);
  const mean = (f: (r: Round) => number) => round(sum(f) / rs.length);
  const concat = (arrays: Float64Array[]) => {
    const out = new Float64Array(arrays.reduce((t, a) => t + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  const deliveries = sum((r) => r.deliveries);
  const elapsedMs = sum((r) => r.elapsedMs);
  return {
    nodes,
    system,
    shape: shape.name,
    messages: sum((r) => r.messages),
    expectedDeliveries: sum((r) => r.expectedDeliveries),
    deliveries,
    shortfall: sum((r) => r.shortfall),
    failedPublishes: sum((r) => r.failedPublishes),
    timedOut: rs.some((r) => r.timedOut),
    elapsedMs: round(elapsedMs, 1),
    deliveriesPerSec: round((deliveries / elapsedMs) * 1000),
    latency: summarize(concat(all.map((m) => m.latencies))),
    ...(system === 'michat' ? { ackLatency: summarize(concat(all.map((m) => m.acks))) } : {}),
    usage: {
      nodesCpuPercent: mean((r) => r.usage.nodesCpuPercent),
      nodeLoopMaxPercent: mean((r) => r.usage.nodeLoopMaxPercent),
      loadgen: { cpuPercent: mean((r) => r.usage.loadgen.cpuPercent), eventLoopPercent: mean((r) => r.usage.loadgen.eventLoopPercent) },
      redisCpuPercent: mean((r) => r.usage.redisCpuPercent),
      busyPercent: mean((r) => r.usage.busyPercent),
      restPercent: mean((r) => r.usage.restPercent),
      busyBeforePercent: mean((r) => r.usage.busyBeforePercent),
    },
    rounds: rs,
  };
}

// ---- main -----------------------------------------------------------------------------------

const commit = commitMeasured();
const machine = machineInfo();
const started = new Date();
const wallStart = performance.now();
console.log(`michat cluster benchmark, ${started.toISOString()}, commit ${commit}`);
console.log(`machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, temp dir on ${machine.tempDirFilesystem}`);

// PostgreSQL (michat only) and Redis, from the installed binaries.
let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;
try {
  // On the temp dir's disk (not memory): commits wait for a real fsync.
  if (SYSTEMS.includes('michat')) postgres = await startPostgres({ baseDir: tmpdir() });
  redis = await startRedis();
} catch (e) {
  await postgres?.stop();
  const missing = /not installed|ENOENT|failed to execute|No such file/i.test(String(e));
  console.error(missing ? `PostgreSQL and Redis must be installed (postgres, redis-server): run scripts/ensure-test-deps.sh\n${String(e)}` : String(e));
  process.exit(1);
}
const redisProbe = new Redis(redis.url);
/** Redis's CPU time so far (user + system), ms. */
const redisCpu = async (): Promise<number> => {
  const info = await redisProbe.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
};

const shapes: Shape[] = [{ name: `window ${WINDOW}×${PUBLISHERS}`, messages: MESSAGES, window: WINDOW, rate: 0 }];
if (RATE > 0 && PACED_MESSAGES > 0) shapes.push({ name: `paced ${RATE} msg/s`, messages: PACED_MESSAGES, window: 1_000, rate: RATE });
console.log(
  `processes: each node is a child process (fork); PostgreSQL ${postgres ? '(fsync on, temp dir)' : '(not started)'} and Redis are server processes;` +
    ` this process is the load generator. All share the same ${machine.cores} cores, unpinned.`,
);
console.log(
  `load: ${SUBSCRIBERS} subscribers in one channel/room and ${PUBLISHERS} publishers, both round-robin over the nodes; messages of ~${PAYLOAD_BYTES} B;` +
    ` ${shapes.map((s) => `${s.name}: ${ROUNDS} rounds × ${s.messages} messages per publisher`).join('; ')}; ${WARMUP} warm-up messages per publisher; the systems' rounds alternate`,
);

const results: Result[] = [];
try {
  for (const n of NODE_COUNTS) {
    console.log(`\n${n} node${n === 1 ? '' : 's'}:`);
    const sides: Side[] = [];
    try {
      for (const system of SYSTEMS) {
        const cluster = system === 'michat' ? await michatCluster(n, postgres!, redis.url) : await socketioCluster(n, redis.url);
        sides.push(await openSide(cluster, n, redisCpu));
      }
      for (const shape of shapes) {
        const rounds = new Map<Side, Measured[]>(sides.map((s) => [s, []]));
        for (let r = 1; r <= ROUNDS; r++) {
          for (const side of r % 2 === 1 ? sides : [...sides].reverse()) rounds.get(side)!.push(await side.run(shape, r));
        }
        for (const side of sides) results.push(pool(n, side.cluster.system, shape, rounds.get(side)!));
      }
    } finally {
      for (const side of sides) await side.close();
    }
  }
} finally {
  redisProbe.disconnect();
  await redis.stop();
  await postgres?.stop();
}

// ---- report ---------------------------------------------------------------------------------

console.log(`\n== results (${machine.cores} cores shared by the load generator, every node, PostgreSQL and Redis; Node ${machine.node}) ==`);
console.log(
  'latency: publish (load generator) → receipt at a subscriber (load generator), every delivery. CPU: % of one core, mean of rounds;' +
    ' "rest": machine busy minus nodes, load generator and Redis, i.e. PostgreSQL, kernel work charged to none of them, and other processes.',
);
console.log('michat: auth on, every message committed to PostgreSQL before it is acked and delivered. Socket.IO: no auth, no storage, no ack.');
const rows: Array<Array<string | number>> = [['nodes', 'system', 'shape', 'deliveries/s', 'p50 ms', 'p99 ms', 'delivered', 'short', 'failed', 'nodes CPU', 'busiest loop', 'loadgen CPU', 'Redis CPU', 'rest', 'rounds, deliveries/s']];
for (const r of results) {
  rows.push([
    r.nodes,
    r.system,
    r.shape,
    r.deliveriesPerSec,
    r.latency.p50Ms,
    r.latency.p99Ms,
    `${r.deliveries}/${r.expectedDeliveries}`,
    r.shortfall,
    r.failedPublishes,
    r.usage.nodesCpuPercent,
    r.usage.nodeLoopMaxPercent,
    r.usage.loadgen.cpuPercent,
    r.usage.redisCpuPercent,
    r.usage.restPercent,
    r.rounds.map((x) => x.deliveriesPerSec.toLocaleString('en-US') + (x.timedOut ? ' (timed out)' : '')).join(' / '),
  ]);
}
console.log(table(rows));

const ratios: Array<{ nodes: number; shape: string; deliveriesPerSec: number; p50: number; p99: number }> = [];
for (const n of NODE_COUNTS) {
  for (const shape of shapes) {
    const m = results.find((r) => r.nodes === n && r.shape === shape.name && r.system === 'michat');
    const s = results.find((r) => r.nodes === n && r.shape === shape.name && r.system === 'socket.io');
    if (m && s) ratios.push({ nodes: n, shape: shape.name, deliveriesPerSec: round(m.deliveriesPerSec / s.deliveriesPerSec, 2), p50: round(m.latency.p50Ms / s.latency.p50Ms, 2), p99: round(m.latency.p99Ms / s.latency.p99Ms, 2) });
  }
}
if (ratios.length) {
  console.log(`\nratio michat / Socket.IO (deliveries/s: higher is better for michat; latency: lower is better)`);
  console.log(table([['nodes', 'shape', 'deliveries/s', 'p50', 'p99'], ...ratios.map((r) => [r.nodes, r.shape, r.deliveriesPerSec, r.p50, r.p99])]));
}
for (const r of results.filter((x) => x.ackLatency)) console.log(`michat ${r.nodes} node${r.nodes === 1 ? '' : 's'}, ${r.shape}: publish → ack p50 ${r.ackLatency!.p50Ms} ms, p99 ${r.ackLatency!.p99Ms} ms`);

const out = {
  date: started.toISOString(),
  durationSec: round((performance.now() - wallStart) / 1000, 1),
  commit,
  machine,
  processes: 'nodes: one child process each (fork); PostgreSQL and Redis: server processes; load generator: the parent process; all unpinned on the same cores',
  config: {
    nodeCounts: NODE_COUNTS,
    subscribers: SUBSCRIBERS,
    subscriberUsers: SUBSCRIBER_USERS,
    publishers: PUBLISHERS,
    warmupPerPublisher: WARMUP,
    rounds: ROUNDS,
    payloadBytes: PAYLOAD_BYTES,
    shapes,
    michat: { store: 'PostgreSQL (fsync on), one database per node count', bus: 'Redis, one prefix per node count', auth: 'on (EdDSA access tokens)', ack: 'after commit' },
    socketio: { adapter: '@socket.io/redis-adapter (ioredis), one prefix per node count', transport: 'websocket', auth: 'none', storage: 'none', ack: 'none' },
  },
  results,
  ratios,
};
await mkdir(RESULTS_DIR, { recursive: true });
const file = new URL(`cluster-${started.toISOString().slice(0, 10)}.json`, RESULTS_DIR);
await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwrote bench/results/${file.pathname.split('/').pop()} (${out.durationSec} s in all)`);
