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
 * How each system's nodes start and how clients connect to them: lib/clusters.ts.
 * Where things run: every node is a child process (fork); PostgreSQL and Redis are server
 * processes; this process is the load generator (all client sockets). All share the cores.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join as joinPath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '@michat/testkit';
import { sampleUsage, type UsageSample } from './lib/child-ipc.ts';
import { michatCluster, socketioCluster, type Cluster, type PublisherEvents, type System } from './lib/clusters.ts';
import { QUIET_BUDGET_MS, QUIET_PERCENT, awaitQuiet, commitMeasured, machineBusyPercent, machineInfo, machineTimes, usageBetween, type SideUsage } from './lib/machine.ts';
import { PAYLOAD_BYTES, parseTail, tailTs } from './lib/message-tail.ts';
import { findProcess, processTreeCpuMs } from './lib/proc-cpu.ts';
import { inBatches, sleep } from './lib/sockets.ts';
import { round, summarize, table, type LatencySummary } from './lib/stats.ts';

// ---- options ----------------------------------------------------------------------------

const { values: opt } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1,2,3' },
    subscribers: { type: 'string', default: '300' },
    'subscriber-users': { type: 'string', default: '3' },
    publishers: { type: 'string', default: '4' },
    messages: { type: 'string', default: '200' },
    window: { type: 'string', default: '2' },
    rate: { type: 'string', default: '40' },
    'paced-messages': { type: 'string', default: '20' },
    warmup: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
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
  --messages N           windowed shape: messages per publisher per round (200)
  --window N             windowed shape: messages per publisher whose fan-out is incomplete, at most (2)
  --rate N               paced shape: messages per second over all publishers (40; 0 skips it)
  --paced-messages N     paced shape: messages per publisher per round (20)
  --warmup N             warm-up messages per publisher, per system and node count (20)
  --rounds N             rounds per shape; the systems' rounds alternate (3)
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
if (opt.only !== undefined && opt.only !== 'michat' && opt.only !== 'socketio') throw new Error(`--only michat|socketio, not ${opt.only}`);
const SYSTEMS: System[] = opt.only === 'michat' ? ['michat'] : opt.only === 'socketio' ? ['socket.io'] : ['michat', 'socket.io'];

/** A run that makes no progress for this long stops and reports what is missing. */
const STALL_MS = 15_000;
/** No run takes longer than this. */
const RUN_CAP_MS = 60_000;
const CONNECT_CONCURRENCY = 50;
/** A round is clean when other load stayed at or under this (% of one core). */
const CLEAN_OTHER_PERCENT = 20;
const RESULTS_DIR = new URL('./results/', import.meta.url);

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
  /** PostgreSQL's postmaster and backends (Linux only; 0 elsewhere, and then counted in other). */
  postgresCpuPercent: number;
  /** Machine busy, % of one core (up to cores × 100). */
  busyPercent: number;
  /** Busy minus all of the above: kernel work charged to none of them, and other processes. */
  otherPercent: number;
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
  /** Means over the rounds pooled. */
  usage: Usage;
  /** Rounds pooled: the clean ones, or all when none was clean. */
  roundsUsed: number;
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
async function openSide(cluster: Cluster, n: number, serverCpu: () => Promise<{ redisMs: number; postgresMs: number }>): Promise<Side> {
  const label = `${cluster.system} × ${n}`;
  try {
    // Per-phase state, read by the hot handlers.
    let phase: { first: number; last: number; window: number; rate: number; measured: boolean } | undefined;
    let counts = new Uint32Array(0);
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
      counts = new Uint32Array(count);
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
      const s0 = await serverCpu();
      const t0 = performance.now();
      const res = await runPhase(shape, true);
      const wallMs = performance.now() - t0;
      const s1 = await serverCpu();
      const m1 = machineTimes();
      const l1 = sampleUsage();
      const n1 = await Promise.all(cluster.nodes.map((s) => s.usage()));
      const nodeUsage = n0.map((a, i) => usageBetween(a, n1[i] as UsageSample));
      const loadgen = usageBetween(l0, l1);
      const nodesCpuPercent = nodeUsage.reduce((t, u) => t + u.cpuPercent, 0);
      const redisCpuPercent = round(((s1.redisMs - s0.redisMs) / wallMs) * 100);
      const postgresCpuPercent = round(((s1.postgresMs - s0.postgresMs) / wallMs) * 100);
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
          postgresCpuPercent,
          busyPercent,
          otherPercent: Math.max(0, round(busyPercent - nodesCpuPercent - loadgen.cpuPercent - redisCpuPercent - postgresCpuPercent)),
          busyBeforePercent,
        },
      };
      console.log(
        `  ${label.padEnd(13)} ${shape.name.padEnd(16)} round ${roundNo}: ${r.deliveries.toLocaleString('en-US')}/${expected.toLocaleString('en-US')} deliveries in ${Math.round(r.elapsedMs)} ms` +
          ` → ${r.deliveriesPerSec.toLocaleString('en-US')}/s, p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms` +
          ` (nodes CPU ${nodesCpuPercent}%, busiest loop ${r.usage.nodeLoopMaxPercent}%; load generator CPU ${loadgen.cpuPercent}%; Redis ${redisCpuPercent}%; PostgreSQL ${postgresCpuPercent}%; other load ${r.usage.otherPercent}%)` +
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

const isClean = (r: Round) => r.usage.otherPercent <= CLEAN_OTHER_PERCENT;
/** `12,345` and a mark when the round was disturbed by other load or timed out. */
const roundLabel = (r: Round) =>
  `${isClean(r) ? r.deliveriesPerSec.toLocaleString('en-US') : `(${r.deliveriesPerSec.toLocaleString('en-US')}, other load ${r.usage.otherPercent}%)`}${r.timedOut ? ' timed out' : ''}`;

/**
 * Pools the clean rounds (all, when none was clean): deliveries over summed time, latency
 * over every sample, usage as means. Shortfalls and failures count over every round.
 */
function pool(nodes: number, system: System, shape: Shape, measured: Measured[]): Result {
  const all = measured.some((m) => isClean(m.round)) ? measured.filter((m) => isClean(m.round)) : measured;
  const rs = all.map((m) => m.round);
  const every = measured.map((m) => m.round);
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
    shortfall: every.reduce((t, r) => t + r.shortfall, 0),
    failedPublishes: every.reduce((t, r) => t + r.failedPublishes, 0),
    timedOut: every.some((r) => r.timedOut),
    elapsedMs: round(elapsedMs, 1),
    deliveriesPerSec: round((deliveries / elapsedMs) * 1000),
    latency: summarize(concat(all.map((m) => m.latencies))),
    ...(system === 'michat' ? { ackLatency: summarize(concat(all.map((m) => m.acks))) } : {}),
    usage: {
      nodesCpuPercent: mean((r) => r.usage.nodesCpuPercent),
      nodeLoopMaxPercent: mean((r) => r.usage.nodeLoopMaxPercent),
      loadgen: { cpuPercent: mean((r) => r.usage.loadgen.cpuPercent), eventLoopPercent: mean((r) => r.usage.loadgen.eventLoopPercent) },
      redisCpuPercent: mean((r) => r.usage.redisCpuPercent),
      postgresCpuPercent: mean((r) => r.usage.postgresCpuPercent),
      busyPercent: mean((r) => r.usage.busyPercent),
      otherPercent: mean((r) => r.usage.otherPercent),
      busyBeforePercent: mean((r) => r.usage.busyBeforePercent),
    },
    roundsUsed: rs.length,
    rounds: every,
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
const INSTALL_HINT = 'PostgreSQL and Redis must be installed (postgres, redis-server): run scripts/ensure-test-deps.sh';
if (!(process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(joinPath(dir, 'redis-server')))) {
  console.error(`redis-server is not on the PATH. ${INSTALL_HINT}`);
  process.exit(1);
}
let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;
try {
  // On the temp dir's disk (not memory): commits wait for a real fsync.
  if (SYSTEMS.includes('michat')) postgres = await startPostgres({ baseDir: tmpdir() });
  redis = await startRedis();
} catch (e) {
  await postgres?.stop();
  console.error(/not installed|ENOENT|failed to execute/i.test(String(e)) ? `${INSTALL_HINT}\n${String(e)}` : String(e));
  process.exit(1);
}
const redisProbe = new Redis(redis.url);
const postmaster = postgres && findProcess(['-p', String(postgres.port)]);
/** CPU time (ms) so far of Redis (from INFO) and PostgreSQL (from /proc; 0 where there is none). */
const serverCpu = async (): Promise<{ redisMs: number; postgresMs: number }> => {
  const info = await redisProbe.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return { redisMs: (field('used_cpu_user') + field('used_cpu_sys')) * 1000, postgresMs: (postmaster && processTreeCpuMs(postmaster)) || 0 };
};

const shapes: Shape[] = [{ name: `window ${WINDOW}/publisher`, messages: MESSAGES, window: WINDOW, rate: 0 }];
if (RATE > 0 && PACED_MESSAGES > 0) shapes.push({ name: `paced ${RATE} msg/s`, messages: PACED_MESSAGES, window: 1_000, rate: RATE });
console.log(
  `processes: each node is a child process (fork); PostgreSQL ${postgres ? '(fsync on, temp dir)' : '(not started)'} and Redis are server processes;` +
    ` this process is the load generator. All share the same ${machine.cores} cores, unpinned.`,
);
console.log(
  `load: ${SUBSCRIBERS} subscribers in one channel/room and ${PUBLISHERS} publishers, both round-robin over the nodes; messages of ~${PAYLOAD_BYTES} B;` +
    ` ${shapes.map((s) => `${s.name}: ${ROUNDS} rounds × ${s.messages} messages per publisher`).join('; ')}; ${WARMUP} warm-up messages per publisher; the systems' rounds alternate`,
);

const load = { publishers: PUBLISHERS, subscriberUsers: SUBSCRIBER_USERS };
const results: Result[] = [];
try {
  for (const n of NODE_COUNTS) {
    console.log(`\n${n} node${n === 1 ? '' : 's'}:`);
    const sides: Side[] = [];
    try {
      for (const system of SYSTEMS) {
        const cluster = system === 'michat' ? await michatCluster(n, postgres!, redis.url, load) : await socketioCluster(n, redis.url);
        sides.push(await openSide(cluster, n, serverCpu));
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
    ' "other load": machine busy minus nodes, load generator, Redis and PostgreSQL, i.e. kernel work charged to none of them and other processes' +
    ` (each round waited for an idle machine first, ${QUIET_PERCENT}% at most, within a ${QUIET_BUDGET_MS / 1000} s budget per run).` +
    ` A round is clean when other load stayed at or under ${CLEAN_OTHER_PERCENT}%; figures pool the clean rounds (all, if none was); disturbed rounds are in parentheses.`,
);
console.log('michat: auth on, every message committed to PostgreSQL before it is acked and delivered. Socket.IO: no auth, no storage, no ack.');
const rows: Array<Array<string | number>> = [['nodes', 'system', 'shape', 'deliveries/s', 'p50 ms', 'p99 ms', 'delivered', 'short', 'failed', 'nodes CPU', 'busiest loop', 'loadgen CPU', 'Redis CPU', 'PG CPU', 'other load', 'rounds, deliveries/s']];
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
    r.usage.postgresCpuPercent,
    r.usage.otherPercent,
    r.rounds.map(roundLabel).join(' / '),
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
