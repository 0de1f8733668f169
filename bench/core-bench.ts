/**
 * michat core benchmark. Not a test: no thresholds, no pass/fail; it prints what it measured.
 * Run from the repository root: `npm run bench`; with options: `npm run -w bench bench -- --help`.
 * Method and numbers: docs/benchmarks.md.
 *
 * 1. Fan-out: one publisher, N subscribers in one channel, each message carrying its send
 *    time. Same load, side by side, against
 *      - a bare `ws` broadcast server (bench/peers/bare-ws-server.ts), and
 *      - michat (bench/michat-server.ts): SQLite, synchronous FULL, ack after commit, auth on.
 * 2. Durable publishes: many publisher devices into one michat server; publishes/s and ack
 *    latency, on SQLite FULL, SQLite NORMAL, and the memory store.
 *
 * Where things run: every server is a child process (fork); this process is the load
 * generator (all client sockets). On a small machine they share the cores; the table says
 * how busy each side was so a saturated load generator is visible.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { formatSummary, summarizeProfileFile, type ProfileSummary } from './lib/cpu-profile.ts';
import { openDurable, medianRound, type DurableRound } from './lib/durable-publish.ts';
import { openFanout, poolFanout, type FanoutPeer, type FanoutResult, type FanoutShape } from './lib/fanout-peer.ts';
import { QUIET_PERCENT, commitMeasured, machineInfo } from './lib/machine.ts';
import { TEXT_TAIL } from './lib/message-payload.ts';
import { PAYLOAD_BYTES } from './lib/message-tail.ts';
import { alternateRounds } from './lib/round.ts';
import { round, table } from './lib/stats.ts';
import { CLEAN_OTHER_PERCENT, isClean, roundLabel } from './lib/usage.ts';

// ---- options ----------------------------------------------------------------------------

const { values: opt } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    'subscriber-users': { type: 'string', default: '5' },
    messages: { type: 'string', default: '2000' },
    'fanout-warmup': { type: 'string', default: '200' },
    'fanout-rounds': { type: 'string', default: '2' },
    window: { type: 'string', default: '8' },
    rate: { type: 'string', default: '25' },
    'paced-messages': { type: 'string', default: '500' },
    publishers: { type: 'string', default: '50' },
    publishes: { type: 'string', default: '20000' },
    'pub-window': { type: 'string', default: '16' },
    'pub-warmup': { type: 'string', default: '2000' },
    'pub-rounds': { type: 'string', default: '5' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`npm run -w bench bench -- [options]   (from the repository root)
  --subscribers N        fan-out subscribers in one channel (1000)
  --subscriber-users N   users they log in as; each user's token is reused (5)
  --messages N           fan-out messages of the windowed shape, split into rounds (2000)
  --fanout-warmup N      fan-out warm-up messages, not measured (200)
  --fanout-rounds N      fan-out rounds per shape; the peers' rounds alternate (2)
  --window N             fan-out: messages whose fan-out is incomplete, at most (8)
  --rate N               paced fan-out run: messages per second (25; 0 skips the run)
  --paced-messages N     messages of the paced shape, split into rounds (500)
  --publishers N         durable: publisher connections, one device each (50)
  --publishes N          durable: publishes per measured round, over all connections (20000)
  --pub-window N         durable: unacknowledged publishes per connection, at most (16)
  --pub-warmup N         durable: warm-up publishes in total, not measured (2000)
  --pub-rounds N         durable: measured rounds per store; the median round is reported (5)
  --only fanout|durable  run one scenario
  --profile              CPU-profile the server in the first round of each shape and store;
                         profiles go to bench/results/profiles/, summaries are printed`);
  process.exit(0);
}
const int = (v: string | undefined, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not ${v}`);
  return n;
};
const SUBSCRIBERS = int(opt.subscribers, 'subscribers');
const SUBSCRIBER_USERS = Math.max(1, int(opt['subscriber-users'], 'subscriber-users'));
const MESSAGES = int(opt.messages, 'messages');
const FANOUT_WARMUP = int(opt['fanout-warmup'], 'fanout-warmup');
const FANOUT_ROUNDS = Math.max(1, int(opt['fanout-rounds'], 'fanout-rounds'));
const WINDOW = Math.max(1, int(opt.window, 'window'));
const PACED_RATE = int(opt.rate, 'rate');
const PACED_MESSAGES = int(opt['paced-messages'], 'paced-messages');
const PUBLISHERS = Math.max(1, int(opt.publishers, 'publishers'));
const PUBLISHES = int(opt.publishes, 'publishes');
const PUB_WINDOW = Math.max(1, int(opt['pub-window'], 'pub-window'));
const PUB_WARMUP = int(opt['pub-warmup'], 'pub-warmup');
const PUB_ROUNDS = Math.max(1, int(opt['pub-rounds'], 'pub-rounds'));
if (opt.only !== undefined && opt.only !== 'fanout' && opt.only !== 'durable') throw new Error(`--only fanout|durable, not ${opt.only}`);
const RUN_FANOUT = opt.only === undefined || opt.only === 'fanout';
const RUN_DURABLE = opt.only === undefined || opt.only === 'durable';

/** A run that makes no progress for this long stops and reports what is missing. */
const STALL_MS = 15_000;
/** No measured run takes longer than this. */
const RUN_CAP_MS = 90_000;
const CONNECT_CONCURRENCY = 50;

const RESULTS_DIR = new URL('./results/', import.meta.url);
const PROFILE_DIR = new URL('./results/profiles/', import.meta.url);

const commit = commitMeasured();
const machine = machineInfo();

// ---- usage, fan-out peers and durable publishers: bench/lib/usage.ts, fanout-peer.ts, durable-publish.ts

/** Where the server's CPU profile of a round goes (with --profile), or undefined. */
function profileFile(name: string): string | undefined {
  if (!opt.profile) return undefined;
  const file = new URL(`${name.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '').toLowerCase()}.cpuprofile`, PROFILE_DIR).pathname;
  profileFiles.push(file);
  return file;
}
const profileFiles: string[] = [];

type Peer = 'bare-ws' | 'michat';

function openPeer(peer: Peer): Promise<FanoutPeer> {
  return openFanout({
    label: peer,
    kind: peer,
    serverArgs: peer === 'michat' ? ['--store', 'sqlite', '--sync', 'FULL'] : [],
    payload: TEXT_TAIL,
    subscribers: SUBSCRIBERS,
    subscriberUsers: SUBSCRIBER_USERS,
    warmup: FANOUT_WARMUP,
    window: WINDOW,
    stallMs: STALL_MS,
    capMs: RUN_CAP_MS,
    connectConcurrency: CONNECT_CONCURRENCY,
    profileFile,
  });
}

interface DurableVariant {
  label: string;
  args: string[];
}

interface DurableResult extends DurableRound {
  store: string;
  publishers: number;
  window: number;
  publishes: number;
  /** Rounds the median was taken over (the clean ones, or all when none was clean). */
  roundsUsed: number;
  rounds: DurableRound[];
}

async function durable(variant: DurableVariant): Promise<DurableResult> {
  const pubs = await openDurable({
    serverArgs: variant.args,
    payload: TEXT_TAIL,
    publishers: PUBLISHERS,
    window: PUB_WINDOW,
    stallMs: STALL_MS,
    capMs: RUN_CAP_MS,
    connectConcurrency: CONNECT_CONCURRENCY,
  });
  try {
    await pubs.warmUp(PUB_WARMUP, variant.label);
    const rounds: DurableRound[] = [];
    // A round disturbed by other load is repeated, at most PUB_ROUNDS more times in all.
    for (let i = 0; rounds.filter(isClean).length < PUB_ROUNDS && i < 2 * PUB_ROUNDS; i++) {
      rounds.push(await pubs.round(PUBLISHES, i === 0 ? profileFile(`michat durable ${variant.label} round 1`) : undefined));
    }
    // The median clean round by publishes/s stands for the store; every round is kept.
    const { median, used } = medianRound(rounds);
    const r: DurableResult = { store: variant.label, publishers: PUBLISHERS, window: PUB_WINDOW, publishes: PUBLISHES, ...median, roundsUsed: used, rounds };
    console.log(
      `  ${variant.label.padEnd(30)} median of ${used} clean of ${rounds.length}: ${r.acked.toLocaleString('en-US')}/${PUBLISHES.toLocaleString('en-US')} acked in ${Math.round(r.elapsedMs)} ms → ${r.publishesPerSec.toLocaleString('en-US')}/s,` +
        ` ack p50 ${r.ackLatency.p50Ms} ms, p99 ${r.ackLatency.p99Ms} ms (server CPU ${r.server.cpuPercent}%, loop ${r.server.eventLoopPercent}%; load generator CPU ${r.loadgen.cpuPercent}%; other load ${r.machine.otherPercent}%)${rounds.some((x) => x.timedOut) ? ' TIMED OUT' : ''}` +
        ` [rounds: ${rounds.map(roundLabel).join(', ')}]`,
    );
    return r;
  } finally {
    await pubs.close();
  }
}


// ---- main -----------------------------------------------------------------------------------

const started = new Date();
const wallStart = performance.now();
console.log(`michat core benchmark, ${started.toISOString()}, commit ${commit}`);
console.log(`machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, temp dir on ${machine.tempDirFilesystem}`);
console.log(
  `processes: each server is a child process (fork) of this one; this process is the load generator (all client sockets).` +
    ` Both share the same ${machine.cores} cores, unpinned.`,
);
if (opt.profile) {
  await mkdir(PROFILE_DIR, { recursive: true });
  console.log('profiling: the server child is CPU-profiled during the first round of each fan-out shape and of each durable store (those rounds run slower)');
}

// Windowed: as fast as fan-out completes (throughput). Paced: a fixed rate below both peers'
// capacity (latency); its window only guards against a stall, the rate is what limits it.
// Each shape's messages are split into FANOUT_ROUNDS rounds, and the peers' rounds alternate
// (both servers stay up), so a slow spell of the machine does not land on one peer only.
const perRound = (n: number) => Math.ceil(n / FANOUT_ROUNDS);
const fanoutShapes: FanoutShape[] = [{ name: `window ${WINDOW}`, messages: perRound(MESSAGES), window: WINDOW, rate: 0 }];
if (PACED_RATE > 0 && PACED_MESSAGES > 0) fanoutShapes.push({ name: `paced ${PACED_RATE} msg/s`, messages: perRound(PACED_MESSAGES), window: 1_000, rate: PACED_RATE });

const fanout: FanoutResult[] = [];
if (RUN_FANOUT) {
  console.log(
    `\n1. fan-out: ${SUBSCRIBERS} subscribers in one channel, 1 publisher, messages of ~${PAYLOAD_BYTES} B` +
      ` (${fanoutShapes.map((s) => `${s.name}: ${FANOUT_ROUNDS} rounds × ${s.messages} messages`).join('; ')}; after ${FANOUT_WARMUP} warm-up);` +
      ` michat subscribers log in as ${SUBSCRIBER_USERS} users and share each user's token; the peers' rounds alternate`,
  );
  const peers: Peer[] = ['bare-ws', 'michat'];
  const open = new Map<Peer, FanoutPeer>();
  try {
    for (const peer of peers) open.set(peer, await openPeer(peer));
    for (const shape of fanoutShapes) {
      const rounds = await alternateRounds(peers, FANOUT_ROUNDS, (peer, r) => open.get(peer)!.run(shape, r));
      for (const peer of peers) fanout.push(poolFanout(peer, peer === 'michat', SUBSCRIBERS, shape, rounds.get(peer)!));
    }
  } finally {
    for (const p of open.values()) await p.close();
  }
}

const durableVariants: DurableVariant[] = [
  { label: 'SQLite synchronous=FULL', args: ['--store', 'sqlite', '--sync', 'FULL'] },
  { label: 'SQLite synchronous=NORMAL', args: ['--store', 'sqlite', '--sync', 'NORMAL'] },
  { label: 'memory store (not durable)', args: ['--store', 'memory'] },
];
const durableResults: DurableResult[] = [];
if (RUN_DURABLE) {
  console.log(
    `\n2. durable publishes: ${PUBLISHERS} publisher connections (one device each), ${PUBLISHES.toLocaleString('en-US')} publishes (after ${PUB_WARMUP} warm-up),` +
      ` at most ${PUB_WINDOW} unacknowledged per connection, ${PUB_ROUNDS} measured rounds per store; ack after commit; no subscribers`,
  );
  for (const v of durableVariants) durableResults.push(await durable(v));
}

// ---- report ---------------------------------------------------------------------------------

console.log(`\n== results (${machine.cores} cores shared by servers and load generator; Node ${machine.node}) ==`);
console.log(
  `CPU and loop columns: % of one core / event-loop utilization. "other load": machine CPU busy minus server and load generator,` +
    ` i.e. other processes and kernel work charged to neither (each round waited for an idle machine first, ${QUIET_PERCENT}% at most, within a 45 s budget per run).` +
    ` A round is clean when other load stayed at or under ${CLEAN_OTHER_PERCENT}%; figures use clean rounds (all, if none was); disturbed rounds are shown in parentheses.`,
);
if (fanout.length) {
  console.log(`\nfan-out, ${SUBSCRIBERS} subscribers, clean rounds pooled (latency: publisher send → subscriber receive; CPU and loop: % of one core, mean of rounds)`);
  const rows: Array<Array<string | number>> = [['peer', 'shape', 'messages pooled', 'deliveries/s', 'p50 ms', 'p99 ms', 'delivered', 'short', 'server CPU', 'server loop', 'loadgen CPU', 'loadgen loop', 'other load', 'rounds, deliveries/s']];
  for (const r of fanout) {
    rows.push([
      r.peer,
      r.shape,
      r.messages,
      r.deliveriesPerSec,
      r.latency.p50Ms,
      r.latency.p99Ms,
      `${r.deliveries}/${r.expectedDeliveries}`,
      r.shortfall,
      r.server.cpuPercent,
      r.server.eventLoopPercent,
      r.loadgen.cpuPercent,
      r.loadgen.eventLoopPercent,
      r.machine.otherPercent,
      r.rounds.map(roundLabel).join(' / '),
    ]);
  }
  console.log(table(rows));
  const ratioRows: Array<Array<string | number>> = [['shape', 'deliveries/s michat/bare', 'p50 michat/bare', 'p99 michat/bare']];
  for (const shape of fanoutShapes) {
    const m = fanout.find((r) => r.peer === 'michat' && r.shape === shape.name);
    const b = fanout.find((r) => r.peer === 'bare-ws' && r.shape === shape.name);
    if (m && b) ratioRows.push([shape.name, round(m.deliveriesPerSec / b.deliveriesPerSec, 2), round(m.latency.p50Ms / b.latency.p50Ms, 2), round(m.latency.p99Ms / b.latency.p99Ms, 2)]);
  }
  console.log(`\nratio michat / bare ws (deliveries/s: higher is better for michat; latency: lower is better)`);
  console.log(table(ratioRows));
  const acks = fanout.filter((r) => r.ackLatency);
  for (const r of acks) console.log(`michat ${r.shape}: publish → ack p50 ${r.ackLatency!.p50Ms} ms, p99 ${r.ackLatency!.p99Ms} ms`);
}
if (durableResults.length) {
  console.log(`\ndurable publishes, ${PUBLISHERS} connections × window ${PUB_WINDOW} (reference target: ≥ 20,000 durable publishes/s on SQLite FULL)`);
  const rows: Array<Array<string | number>> = [['store', 'publishes/s', 'ack p50 ms', 'ack p99 ms', 'acked', 'failed', 'server CPU', 'server loop', 'loadgen CPU', 'other load', 'rounds used']];
  for (const r of durableResults) {
    rows.push([
      r.store,
      r.publishesPerSec,
      r.ackLatency.p50Ms,
      r.ackLatency.p99Ms,
      `${r.acked}/${r.publishes}`,
      r.failed,
      r.server.cpuPercent,
      r.server.eventLoopPercent,
      r.loadgen.cpuPercent,
      r.machine.otherPercent,
      r.rounds.some(isClean) ? `${r.roundsUsed} clean of ${r.rounds.length}` : `none clean; all ${r.rounds.length}`,
    ]);
  }
  console.log(`(each row is the median of its clean rounds by publishes/s; CPU and loop: % of one core)`);
  console.log(table(rows));
  for (const r of durableResults) console.log(`${r.store} rounds, publishes/s: ${r.rounds.map(roundLabel).join(' / ')}`);
}

let profiles: Record<string, ProfileSummary> | undefined;
if (opt.profile) {
  profiles = {};
  for (const file of profileFiles) {
    const name = file.split('/').pop()!;
    const s = await summarizeProfileFile(file, 20);
    profiles[name] = s;
    console.log(`\n== server CPU profile: ${name} (the measured interval only) ==\n${formatSummary(s)}`);
  }
}

const date = started.toISOString().slice(0, 10);
const out = {
  date: started.toISOString(),
  durationSec: round((performance.now() - wallStart) / 1000, 1),
  commit,
  machine,
  processes: 'servers: one child process each (fork); load generator: the parent process; all unpinned on the same cores',
  profiled: opt.profile,
  config: {
    fanout: { subscribers: SUBSCRIBERS, subscriberUsers: SUBSCRIBER_USERS, warmup: FANOUT_WARMUP, rounds: FANOUT_ROUNDS, payloadBytes: PAYLOAD_BYTES, shapes: fanoutShapes },
    durable: { publishers: PUBLISHERS, publishes: PUBLISHES, windowPerConnection: PUB_WINDOW, warmup: PUB_WARMUP, rounds: PUB_ROUNDS, payloadBytes: PAYLOAD_BYTES },
    michatServer: { auth: 'on (EdDSA access tokens)', ack: 'after commit', connection: { ratePerSec: 1_000_000, burst: 1_000_000 } },
  },
  fanout,
  durable: durableResults,
  ...(profiles ? { profiles } : {}),
};
await mkdir(RESULTS_DIR, { recursive: true });
const file = new URL(`core-${date}${opt.profile ? '-profiled' : ''}.json`, RESULTS_DIR);
await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwrote bench/results/${file.pathname.split('/').pop()} (${out.durationSec} s in all)`);
