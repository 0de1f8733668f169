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
import { fanoutLoad, type FanoutPhase } from './lib/fanout-load.ts';
import { deliveriesLine, mean, poolRounds, type FanoutRoundTotals, type FanoutTotals, type Measured } from './lib/fanout-results.ts';
import { QUIET_BUDGET_MS, QUIET_PERCENT, awaitQuiet, commitMeasured, machineBusyPercent, machineInfo, machineTimes, usageBetween, type SideUsage } from './lib/machine.ts';
import { PAYLOAD_BYTES } from './lib/message-tail.ts';
import { findProcess, processTreeCpuMs } from './lib/proc-cpu.ts';
import { alternateRounds } from './lib/round.ts';
import { inBatches, sleep } from './lib/sockets.ts';
import { round, table } from './lib/stats.ts';

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

// ---- load: subscribers, publishers, rounds (lib/fanout-load.ts) --------------------------

interface Shape extends FanoutPhase {
  name: string;
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

interface Round extends FanoutRoundTotals {
  round: number;
  usage: Usage;
}

interface Result extends FanoutTotals {
  nodes: number;
  system: System;
  shape: string;
  /** Means over the rounds pooled. */
  usage: Usage;
  /** Rounds pooled: the clean ones, or all when none was clean. */
  roundsUsed: number;
  rounds: Round[];
}

interface Side {
  cluster: Cluster;
  run(shape: Shape, round: number): Promise<Measured<Round>>;
  close(): Promise<void>;
}

/** Connects every subscriber and publisher to `cluster` and warms up; then runs rounds on demand. */
async function openSide(cluster: Cluster, n: number, serverCpu: () => Promise<{ redisMs: number; postgresMs: number }>): Promise<Side> {
  const label = `${cluster.system} × ${n}`;
  try {
    const sends: Array<(k: number) => void> = [];
    const load = fanoutLoad({
      subscribers: SUBSCRIBERS,
      publishers: PUBLISHERS,
      send: (p, k) => sends[p]!(k),
      check: (data, k) => cluster.check(data, k),
      trailing: cluster.trailing,
      acks: cluster.system === 'michat',
      stallMs: STALL_MS,
      capMs: RUN_CAP_MS,
    });
    const events: PublisherEvents = {
      ack: (k) => load.ack(k),
      failed(k, why) {
        if (load.fail(k)) console.error(`  ${label}: publish ${k} failed: ${why}`);
      },
    };
    await inBatches(SUBSCRIBERS, CONNECT_CONCURRENCY, (i) => cluster.subscribe(i, (data) => load.deliver(i, data)));
    for (let p = 0; p < PUBLISHERS; p++) sends.push(await cluster.publisher(p, events));

    await load.warmUp({ messages: WARMUP, window: WINDOW, rate: 0 }, label);
    const run = async (shape: Shape, roundNo: number): Promise<Measured<Round>> => {
      const busyBeforePercent = await awaitQuiet();
      const n0 = await Promise.all(cluster.nodes.map((s) => s.usage()));
      const l0 = sampleUsage();
      const m0 = machineTimes();
      const s0 = await serverCpu();
      const t0 = performance.now();
      await load.measure(shape);
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
      const { totals, latencies, acks } = load.results();
      const r: Round = {
        round: roundNo,
        ...totals,
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
        `  ${label.padEnd(13)} ${shape.name.padEnd(16)} round ${roundNo}: ${deliveriesLine(r)}` +
          ` (nodes CPU ${nodesCpuPercent}%, busiest loop ${r.usage.nodeLoopMaxPercent}%; load generator CPU ${loadgen.cpuPercent}%; Redis ${redisCpuPercent}%; PostgreSQL ${postgresCpuPercent}%; other load ${r.usage.otherPercent}%)` +
          `${r.failedPublishes ? ` ${r.failedPublishes} FAILED` : ''}${r.timedOut ? ' TIMED OUT' : ''}`,
      );
      await sleep(200);
      return { round: r, latencies, acks };
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

/** Pools the clean rounds (all, when none was clean; see poolRounds), usage as means. */
function pool(nodes: number, system: System, shape: Shape, measured: Array<Measured<Round>>): Result {
  const { totals, used } = poolRounds(measured, isClean, system === 'michat');
  const m = (f: (r: Round) => number) => mean(used, f);
  return {
    nodes,
    system,
    shape: shape.name,
    ...totals,
    usage: {
      nodesCpuPercent: m((r) => r.usage.nodesCpuPercent),
      nodeLoopMaxPercent: m((r) => r.usage.nodeLoopMaxPercent),
      loadgen: { cpuPercent: m((r) => r.usage.loadgen.cpuPercent), eventLoopPercent: m((r) => r.usage.loadgen.eventLoopPercent) },
      redisCpuPercent: m((r) => r.usage.redisCpuPercent),
      postgresCpuPercent: m((r) => r.usage.postgresCpuPercent),
      busyPercent: m((r) => r.usage.busyPercent),
      otherPercent: m((r) => r.usage.otherPercent),
      busyBeforePercent: m((r) => r.usage.busyBeforePercent),
    },
    roundsUsed: used.length,
    rounds: measured.map((x) => x.round),
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
        const rounds = await alternateRounds(sides, ROUNDS, (side, r) => side.run(shape, r));
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
