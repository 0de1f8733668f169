/**
 * E2EE benchmark. Not a test: no thresholds, no pass/fail; it prints what it measured and
 * writes bench/results/e2ee-<date>.json. Run from the repository root: `npm run bench:e2ee`;
 * options: `npm run -w bench bench:e2ee -- --help`. Method and numbers: docs/benchmarks.md,
 * "End-to-end encryption: server cost on/off, client seal/open".
 *
 * 1. Server cost, E2EE off vs on: the core benchmark's fan-out (one publisher, S subscribers in
 *    one channel) and durable publishes (P publisher devices, ack after commit), each against
 *    two michat servers side by side (SQLite, synchronous FULL), their rounds alternating: one
 *    gets the plaintext JSON of a short text (100 B), the other the same text sealed as the SDK
 *    seals it (193 B: AES-256-GCM, Ed25519 signature; bench/e2ee/payloads.ts). The server never
 *    decrypts; what it pays is bytes. Server CPU per delivery / per publish, deliveries/s,
 *    publishes/s, latency, and the ratios on/off.
 * 2. Client seal/open per second: the SDK's sealPayload / openPayload on 200-byte payloads, in
 *    Node (a child process) and in Chromium (the same code bundled for a page), and their parts
 *    (Ed25519 sign/verify, AES-GCM).
 * 3. End to end: a device joins a channel of N − 1 devices by itself (external Commit, the SDK's
 *    path) and reads one sealed message (bench/e2ee/join-scenario.ts), in a Node child.
 */
import { fork } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeFrame, encodeObject, makeName } from '@michat/protocol';
import { plaintextPayload, sealedPayload, textJson } from './e2ee/payloads.ts';
import type { JoinResult, JoinStep } from './e2ee/join-scenario.ts';
import type { Rate, SealOptions, SealResult } from './e2ee/seal-scenario.ts';
import { openDurable, type DurablePublishers, type DurableRound } from './lib/durable-publish.ts';
import { openFanout, poolFanout, type FanoutPeer, type FanoutResult, type FanoutShape } from './lib/fanout-peer.ts';
import { QUIET_PERCENT, awaitQuiet, commitMeasured, machineBusyPercent, machineInfo, machineTimes } from './lib/machine.ts';
import type { MessagePayload } from './lib/message-payload.ts';
import { alternateRounds } from './lib/round.ts';
import { formatNumber, round, table } from './lib/stats.ts';
import { CLEAN_OTHER_PERCENT, isClean, roundLabel, type MachineUsage } from './lib/usage.ts';
import { buildBundle } from './mls/bundle.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.MICHAT_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A child (seal, join) or the page that takes longer than this is stopped; what it finished is kept. */
const SEAL_CAP_MS = 60_000;
const JOIN_CAP_MS = 150_000;
const PAGE_CAP_MS = 90_000;
/** The join child skips a size's second join once this much of its time has passed. */
const JOIN_SECOND_BUDGET_MS = 60_000;
/** A run that makes no progress for this long stops and reports what is missing. */
const STALL_MS = 15_000;
/** No measured round takes longer than this. */
const RUN_CAP_MS = 90_000;
const CONNECT_CONCURRENCY = 50;
const PARTS = ['fanout', 'durable', 'seal', 'join'] as const;
type Part = (typeof PARTS)[number];

// ---- options ----------------------------------------------------------------------------

const { values: opt } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    'subscriber-users': { type: 'string', default: '5' },
    messages: { type: 'string', default: '2000' },
    'fanout-warmup': { type: 'string', default: '200' },
    'fanout-rounds': { type: 'string', default: '4' },
    window: { type: 'string', default: '8' },
    rate: { type: 'string', default: '25' },
    'paced-messages': { type: 'string', default: '500' },
    publishers: { type: 'string', default: '50' },
    publishes: { type: 'string', default: '20000' },
    'pub-window': { type: 'string', default: '16' },
    'pub-warmup': { type: 'string', default: '2000' },
    'pub-rounds': { type: 'string', default: '3' },
    'seal-bytes': { type: 'string', default: '200' },
    'seal-messages': { type: 'string', default: '5000' },
    'seal-ms': { type: 'string', default: '2000' },
    'join-sizes': { type: 'string', default: '10,100,1000' },
    only: { type: 'string' },
    'no-browser': { type: 'boolean', default: false },
    child: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`npm run -w bench bench:e2ee -- [options]   (from the repository root)
  --subscribers N        fan-out subscribers in one channel, per server (1000)
  --subscriber-users N   users they log in as; each user's token is reused (5)
  --messages N           fan-out messages of the windowed shape, split into rounds (2000)
  --fanout-warmup N      fan-out warm-up messages per server, not measured (200)
  --fanout-rounds N      fan-out rounds per shape and payload; plaintext and sealed alternate (4)
  --window N             fan-out: messages whose fan-out is incomplete, at most (8)
  --rate N               paced fan-out: messages per second (25; 0 skips the shape)
  --paced-messages N     messages of the paced shape, split into rounds (500)
  --publishers N         durable: publisher connections, one device each (50)
  --publishes N          durable: publishes per measured round (20000)
  --pub-window N         durable: unacknowledged publishes per connection, at most (16)
  --pub-warmup N         durable: warm-up publishes per server, not measured (2000)
  --pub-rounds N         durable: clean pairs of rounds (plaintext, sealed) wanted; at most twice as many pairs run (3)
  --seal-bytes N         client: plaintext bytes per sealed message (200)
  --seal-messages N      client: messages per measurement, at most (5000) …
  --seal-ms MS           … or stop after this long (2000)
  --join-sizes LIST      end to end: channel sizes N, the joining device being the N-th (10,100,1000)
  --only LIST            some of fanout,durable,seal,join
  --no-browser           client: skip Chromium`);
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
const SEAL: SealOptions = { payloadBytes: Math.max(1, int(opt['seal-bytes'], 'seal-bytes')), messages: Math.max(1, int(opt['seal-messages'], 'seal-messages')), budgetMs: Math.max(1, int(opt['seal-ms'], 'seal-ms')) };
const JOIN_SIZES = (opt['join-sizes'] ?? '')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map((s) => int(s.trim(), 'join-sizes'))
  .filter((n) => n >= 3);
const ONLY = opt.only === undefined ? [...PARTS] : opt.only.split(',').map((s) => s.trim());
for (const p of ONLY) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only takes some of ${PARTS.join(',')}, not ${p}`);
const runs = (p: Part) => ONLY.includes(p);

// ---- child mode: seal/open or joins in Node, results over IPC -------------------------------

type ChildMessage = { type: 'seal'; result: SealResult } | { type: 'join'; result: JoinResult } | { type: 'done'; cpuMs: number } | { type: 'error'; message: string };

if (opt.child) {
  const send = (m: ChildMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  try {
    const runtime = `Node ${process.version}`;
    if (opt.child === 'seal') {
      const { runSeal } = await import('./e2ee/seal-scenario.ts');
      await send({ type: 'seal', result: await runSeal(SEAL, runtime) });
    } else if (opt.child === 'join') {
      const { runJoin } = await import('./e2ee/join-scenario.ts');
      await runJoin(4, runtime); // warm-up: JIT, WebCrypto
      const t0 = performance.now();
      for (const n of JOIN_SIZES) {
        await runJoin(n, runtime, {
          log: (line) => console.log(`  ${line}`),
          report: (result) => void send({ type: 'join', result }),
          budgetMs: Math.max(0, JOIN_SECOND_BUDGET_MS - (performance.now() - t0)),
        });
      }
    }
    const cpu = process.cpuUsage();
    await send({ type: 'done', cpuMs: (cpu.user + cpu.system) / 1000 });
  } catch (e) {
    await send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  process.exit(0);
}

// ---- the parent ---------------------------------------------------------------------------

const started = new Date();
const wallStart = performance.now();
const commit = commitMeasured();
const machine = machineInfo();
const notes: string[] = [];
console.log(`michat E2EE benchmark, ${started.toISOString()}, commit ${commit}`);
console.log(`machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, temp dir on ${machine.tempDirFilesystem}`);

// ---- 0. what the server sees ----------------------------------------------------------------

const plain = plaintextPayload();
const sealed = await sealedPayload();
const payloads: MessagePayload[] = [plain, sealed];
const sizes = (() => {
  const channel = makeName({ kind: 1, org: 1, team: 1, channel: 1, device: 0, seq: 0 });
  const objectBytes = (p: MessagePayload) => encodeObject({ name: channel, created: Date.now(), keyEpoch: 0 }, new Uint8Array(p.payloadBytes)).bytes.length;
  const frameBytes = (p: MessagePayload) => encodeFrame({ t: 'obj', obj: new Uint8Array(objectBytes(p)) }).length;
  return payloads.map((p) => ({ payload: p.label, payloadBytes: p.payloadBytes, objectBytes: objectBytes(p), objFrameBytes: frameBytes(p) }));
})();
console.log(`\npayload of one short text: plaintext JSON ${plain.payloadBytes} B (${textJson(1).length} B as encodeTextPayload writes it); sealed ${sealed.payloadBytes} B`);

// ---- pairs of rounds ------------------------------------------------------------------------

/**
 * The plaintext and the sealed server run their rounds in pairs, back to back (alternating
 * which goes first), so both see about the same machine. A pair counts when both of its rounds
 * were clean; when no pair was, all pairs count. Ratios are taken pair by pair, and their
 * median reported: other load moves a pair's two rounds together much more than it moves
 * rounds minutes apart.
 */
interface Spread {
  median: number;
  min: number;
  max: number;
  /** Pairs it was taken over. */
  pairs: number;
}
function spread(xs: number[]): Spread {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return { median: NaN, min: NaN, max: NaN, pairs: 0 };
  const mid = s.length >> 1;
  return { median: round(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, 3), min: round(s[0]!, 3), max: round(s.at(-1)!, 3), pairs: s.length };
}
/** Indexes of the pairs that count: both rounds clean, or all when none is. */
function pairsUsed<R extends { machine: MachineUsage }>(off: R[], on: R[]): number[] {
  const all = off.map((_, i) => i).filter((i) => on[i] !== undefined);
  const clean = all.filter((i) => isClean(off[i]!) && isClean(on[i]!));
  return clean.length ? clean : all;
}
interface PairRatios {
  /** Pairs both clean (0: all pairs were used). */
  cleanPairs: number;
  pairs: number;
  /** sealed ÷ plaintext, pair by pair. */
  rate: Spread;
  serverCpuPerItem: Spread;
}
function pairRatios<R extends { machine: MachineUsage; serverCpuMs: number }>(off: R[], on: R[], rate: (r: R) => number, items: (r: R) => number): PairRatios {
  const used = pairsUsed(off, on);
  const cpu = (r: R) => r.serverCpuMs / items(r);
  const clean = off.filter((r, i) => on[i] && isClean(r) && isClean(on[i]!)).length;
  return {
    cleanPairs: clean,
    pairs: used.length,
    rate: spread(used.map((i) => rate(on[i]!) / rate(off[i]!))),
    serverCpuPerItem: spread(used.map((i) => cpu(on[i]!) / cpu(off[i]!))),
  };
}

// ---- 1a. fan-out, off vs on -------------------------------------------------------------------

const perRound = (n: number) => Math.ceil(n / FANOUT_ROUNDS);
const fanoutShapes: FanoutShape[] = [{ name: `window ${WINDOW}`, messages: perRound(MESSAGES), window: WINDOW, rate: 0 }];
if (PACED_RATE > 0 && PACED_MESSAGES > 0) fanoutShapes.push({ name: `paced ${PACED_RATE} msg/s`, messages: perRound(PACED_MESSAGES), window: 1_000, rate: PACED_RATE });

const fanout: FanoutResult[] = [];
const fanoutPairs: Array<PairRatios & { shape: string }> = [];
if (runs('fanout')) {
  console.log(
    `\n1. fan-out: ${SUBSCRIBERS} subscribers in one channel per server, 1 publisher; two michat servers (SQLite FULL), one sent plaintext, one sealed payloads` +
      ` (${fanoutShapes.map((s) => `${s.name}: ${FANOUT_ROUNDS} rounds × ${s.messages} messages`).join('; ')}; after ${FANOUT_WARMUP} warm-up); the two servers' rounds alternate`,
  );
  const open = new Map<string, FanoutPeer>();
  try {
    for (const p of payloads) {
      open.set(
        p.label,
        await openFanout({
          label: p.label,
          kind: 'michat',
          serverArgs: ['--store', 'sqlite', '--sync', 'FULL'],
          payload: p,
          subscribers: SUBSCRIBERS,
          subscriberUsers: SUBSCRIBER_USERS,
          warmup: FANOUT_WARMUP,
          window: WINDOW,
          stallMs: STALL_MS,
          capMs: RUN_CAP_MS,
          connectConcurrency: CONNECT_CONCURRENCY,
        }),
      );
    }
    console.log(`  both servers up; the first delivery of each was decoded in full (the sealed one opened with its epoch key and the sender's key)`);
    const labels = payloads.map((p) => p.label);
    for (const shape of fanoutShapes) {
      const rounds = await alternateRounds(labels, FANOUT_ROUNDS, (label, r) => open.get(label)!.run(shape, r));
      const [off, on] = [rounds.get(plain.label)!.map((m) => m.round), rounds.get(sealed.label)!.map((m) => m.round)];
      const used = new Set(pairsUsed(off, on).map((i) => off[i]!.round));
      for (const label of labels) fanout.push(poolFanout(label, true, SUBSCRIBERS, shape, rounds.get(label)!, (r) => used.has(r.round)));
      fanoutPairs.push({ shape: shape.name, ...pairRatios(off, on, (r) => r.deliveriesPerSec, (r) => r.deliveries) });
    }
  } finally {
    for (const p of open.values()) await p.close();
  }
}

// ---- 1b. durable publishes, off vs on ------------------------------------------------------------

interface DurableResult extends DurableRound {
  payload: string;
  /** Server CPU per acknowledged publish over the rounds used, µs. */
  serverCpuUsPerPublish: number;
  roundsUsed: number;
  rounds: DurableRound[];
}
const durable: DurableResult[] = [];
let durablePairs: PairRatios | undefined;
if (runs('durable')) {
  console.log(
    `\n2. durable publishes: ${PUBLISHERS} publisher connections (one device each) into one channel, at most ${PUB_WINDOW} unacknowledged per connection, ${PUBLISHES.toLocaleString('en-US')} publishes per round` +
      ` (after ${PUB_WARMUP} warm-up); two michat servers (SQLite FULL), plaintext and sealed, a round of each in turn until ${PUB_ROUNDS} pairs were both clean (at most ${2 * PUB_ROUNDS} pairs); ack after commit; no subscribers`,
  );
  const open = new Map<string, DurablePublishers>();
  const rounds = new Map<string, DurableRound[]>(payloads.map((p) => [p.label, []]));
  try {
    for (const p of payloads) {
      const pubs = await openDurable({ serverArgs: ['--store', 'sqlite', '--sync', 'FULL'], payload: p, publishers: PUBLISHERS, window: PUB_WINDOW, stallMs: STALL_MS, capMs: RUN_CAP_MS, connectConcurrency: CONNECT_CONCURRENCY });
      open.set(p.label, pubs);
      await pubs.warmUp(PUB_WARMUP, p.label);
    }
    const cleanPairs = () => rounds.get(plain.label)!.filter((r, i) => isClean(r) && isClean(rounds.get(sealed.label)![i]!)).length;
    for (let i = 0; i < 2 * PUB_ROUNDS && cleanPairs() < PUB_ROUNDS; i++) {
      for (const p of i % 2 === 0 ? payloads : [...payloads].reverse()) {
        const r = await open.get(p.label)!.round(PUBLISHES);
        rounds.get(p.label)!.push(r);
        console.log(
          `  ${p.label.padEnd(9)} pair ${i + 1}: ${r.acked.toLocaleString('en-US')}/${PUBLISHES.toLocaleString('en-US')} acked in ${Math.round(r.elapsedMs)} ms → ${r.publishesPerSec.toLocaleString('en-US')}/s,` +
            ` ack p50 ${r.ackLatency.p50Ms} ms, p99 ${r.ackLatency.p99Ms} ms (server CPU ${r.server.cpuPercent}%, ${round((r.serverCpuMs / r.acked) * 1000)} µs per publish; load generator CPU ${r.loadgen.cpuPercent}%; other load ${r.machine.otherPercent}%)${r.timedOut ? ' TIMED OUT' : ''}`,
        );
      }
    }
  } finally {
    for (const pubs of open.values()) await pubs.close();
  }
  const [off, on] = [rounds.get(plain.label)!, rounds.get(sealed.label)!];
  const used = pairsUsed(off, on);
  for (const p of payloads) {
    const all = rounds.get(p.label)!;
    const pooled = used.map((i) => all[i]!);
    const median = [...pooled].sort((a, b) => a.publishesPerSec - b.publishesPerSec)[Math.floor(pooled.length / 2)]!;
    const cpuMs = pooled.reduce((t, r) => t + r.serverCpuMs, 0);
    const acked = pooled.reduce((t, r) => t + r.acked, 0);
    durable.push({ payload: p.label, ...median, serverCpuUsPerPublish: round((cpuMs / acked) * 1000, 1), roundsUsed: pooled.length, rounds: all });
  }
  durablePairs = pairRatios(off, on, (r) => r.publishesPerSec, (r) => r.acked);
}

// ---- 2. client seal/open: Node child, Chromium page -----------------------------------------------

interface ClientRun {
  runtime: string;
  result?: SealResult;
  /** Machine CPU busy while it ran, % of one core. */
  machineBusyPercent: number;
  /** … minus the child's own CPU (Node only). */
  otherLoadPercent?: number;
  error?: string;
}

function runChild(kind: 'seal' | 'join', capMs: number, onResult: (m: ChildMessage) => void): Promise<{ wallMs: number; machineBusyPercent: number; otherLoadPercent?: number; error?: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const m0 = machineTimes();
    const child = fork(fileURLToPath(import.meta.url), [
      '--child',
      kind,
      '--seal-bytes',
      String(SEAL.payloadBytes),
      '--seal-messages',
      String(SEAL.messages),
      '--seal-ms',
      String(SEAL.budgetMs),
      '--join-sizes',
      JOIN_SIZES.join(','),
    ], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let cpuMs: number | undefined;
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = `stopped after ${capMs / 1000} s`;
      child.kill('SIGKILL');
    }, capMs);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'done') cpuMs = m.cpuMs;
      else if (m.type === 'error') error = m.message;
      else onResult(m);
    });
    child.on('exit', () => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      const busy = machineBusyPercent(m0, machineTimes());
      resolve({ wallMs, machineBusyPercent: busy, ...(cpuMs !== undefined ? { otherLoadPercent: round(Math.max(0, busy - (cpuMs / wallMs) * 100)) } : {}), ...(error ? { error } : {}) });
    });
  });
}

async function serve(files: Record<string, { body: Buffer; type: string }>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]!];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' }).end(f.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function runChromium(): Promise<ClientRun> {
  const workDir = await mkdtemp(join(tmpdir(), 'michat-e2ee-bench-'));
  try {
    const bundle = await buildBundle(join(here, 'e2ee', 'page.ts'), join(workDir, 'page'), 'e2ee-seal');
    const files: Record<string, { body: Buffer; type: string }> = {
      '/': { body: Buffer.from('<!doctype html><meta charset="utf-8"><title>e2ee bench</title><p>e2ee bench</p>'), type: 'text/html' },
    };
    for (const f of bundle.files) files[`/${f.file}`] = { body: await readFile(join(workDir, 'page', f.file)), type: 'text/javascript' };
    const { url, server } = await serve(files);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${url}/`);
      await page.addScriptTag({ url: '/e2ee-seal.js', type: 'module' });
      await page.waitForFunction(() => typeof (window as unknown as { e2eeSealBench?: unknown }).e2eeSealBench === 'function', undefined, { timeout: 30_000 });
      await awaitQuiet();
      const m0 = machineTimes();
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        page.evaluate((o) => (window as unknown as { e2eeSealBench: (o: SealOptions) => Promise<SealResult> }).e2eeSealBench(o), SEAL),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), PAGE_CAP_MS))),
      ])
        .catch((e: unknown) => (e instanceof Error ? e.message : String(e)))
        .finally(() => clearTimeout(timer));
      const busy = machineBusyPercent(m0, machineTimes());
      if (typeof result === 'string') return { runtime: `Chromium ${browser.version()}`, machineBusyPercent: busy, error: result === 'timeout' ? `stopped after ${PAGE_CAP_MS / 1000} s` : result };
      return { runtime: `Chromium ${browser.version()}`, result: { ...result, runtime: `Chromium ${browser.version()}` }, machineBusyPercent: busy, ...(pageErrors.length ? { error: pageErrors.join('; ') } : {}) };
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

const client: ClientRun[] = [];
if (runs('seal')) {
  console.log(`\n3. client seal/open: ${SEAL.payloadBytes}-byte payloads, one after another, at most ${SEAL.messages} or ${SEAL.budgetMs} ms per measurement; Node (child process)${opt['no-browser'] ? '' : ' and Chromium (page)'}`);
  await awaitQuiet();
  let result: SealResult | undefined;
  const node = await runChild('seal', SEAL_CAP_MS, (m) => {
    if (m.type === 'seal') result = m.result;
  });
  client.push({ runtime: result?.runtime ?? `Node ${process.version}`, ...(result ? { result } : {}), machineBusyPercent: node.machineBusyPercent, ...(node.otherLoadPercent !== undefined ? { otherLoadPercent: node.otherLoadPercent } : {}), ...(node.error ? { error: node.error } : {}) });
  if (node.error) console.log(`  Node: ${node.error}`);
  if (!opt['no-browser']) {
    if (!(await access(CHROMIUM).then(() => true, () => false))) notes.push(`${CHROMIUM} is missing: seal/open not measured in the browser`);
    else {
      const c = await runChromium();
      client.push(c);
      if (c.error) console.log(`  Chromium: ${c.error}`);
    }
  }
  for (const c of client) if (c.result) console.log(`  ${c.runtime}: seal ${formatNumber(Math.round(c.result.seal.perSec))}/s, open ${formatNumber(Math.round(c.result.open.perSec))}/s`);
}

// ---- 3. end to end: join and read ---------------------------------------------------------------

const joins: JoinResult[] = [];
let joinRun: Awaited<ReturnType<typeof runChild>> | undefined;
if (runs('join') && JOIN_SIZES.length) {
  console.log(`\n4. end to end: a device joins a channel of N − 1 devices by external Commit and reads one sealed message (N = ${JOIN_SIZES.join(', ')}); Node child, stopped after ${JOIN_CAP_MS / 1000} s`);
  await awaitQuiet();
  joinRun = await runChild('join', JOIN_CAP_MS, (m) => {
    if (m.type !== 'join') return;
    const i = joins.findIndex((j) => j.members === m.result.members);
    if (i >= 0) joins[i] = m.result;
    else joins.push(m.result);
  });
  if (joinRun.error) console.log(`  join: ${joinRun.error}`);
}

// ---- report ---------------------------------------------------------------------------------

const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b || !Number.isFinite(a) || !Number.isFinite(b) ? '—' : round(a / b, 2).toFixed(2));
const ms = (v: number | undefined) => (v === undefined ? '—' : v >= 100 ? formatNumber(Math.round(v)) : formatNumber(round(v, 2)));
const perSec = (r: Rate | undefined) => (r ? formatNumber(Math.round(r.perSec)) : '—');
const us = (r: Rate | undefined) => (r ? formatNumber(round(r.usEach, 1)) : '—');
const spreadLabel = (x: Spread) => (x.pairs ? `${x.median.toFixed(2)} (${x.min.toFixed(2)}–${x.max.toFixed(2)})` : '—');
const pairsLabel = (p: PairRatios) => (p.cleanPairs ? `${p.pairs} clean` : `all ${p.pairs}, none clean`);

console.log(`\n== results (${machine.cores} cores shared by servers, load generator, children and browser; Node ${machine.node}) ==`);
console.log(
  `CPU columns: % of one core. "other load": machine CPU busy minus server and load generator (each round waited for an idle machine first, ${QUIET_PERCENT}% at most, within a 45 s budget per run).` +
    ` A round is clean when other load stayed at or under ${CLEAN_OTHER_PERCENT}%; disturbed rounds are shown in parentheses. The plaintext and the sealed server run their rounds in pairs;` +
    ` figures use the pairs whose two rounds were clean (all pairs, if none was).`,
);
console.log('\nwhat the server stores and sends for one short text');
console.log(table([['payload', 'payload bytes', 'object bytes', 'obj frame bytes'], ...sizes.map((s) => [s.payload, s.payloadBytes, s.objectBytes, s.objFrameBytes])]));
console.log(`sealed / plaintext: payload ${ratio(sizes[1]!.payloadBytes, sizes[0]!.payloadBytes)}, object ${ratio(sizes[1]!.objectBytes, sizes[0]!.objectBytes)}, frame ${ratio(sizes[1]!.objFrameBytes, sizes[0]!.objFrameBytes)}`);

if (fanout.length) {
  console.log(`\nfan-out, ${SUBSCRIBERS} subscribers, michat SQLite FULL, rounds of the pairs used pooled (latency: publisher send → subscriber receive)`);
  const rows: Array<Array<string | number>> = [['payload', 'shape', 'deliveries/s', 'server CPU µs/delivery', 'p50 ms', 'p99 ms', 'delivered', 'server CPU', 'server loop', 'loadgen CPU', 'other load', 'rounds, deliveries/s']];
  for (const r of fanout) {
    rows.push([r.peer, r.shape, r.deliveriesPerSec, r.serverCpuUsPerDelivery, r.latency.p50Ms, r.latency.p99Ms, `${r.deliveries}/${r.expectedDeliveries}`, r.server.cpuPercent, r.server.eventLoopPercent, r.loadgen.cpuPercent, r.machine.otherPercent, r.rounds.map(roundLabel).join(' / ')]);
  }
  console.log(table(rows));
  const ratioRows: Array<Array<string | number>> = [['shape', 'pairs used', 'deliveries/s', 'server CPU/delivery', 'deliveries/s, pair by pair: median (range)', 'server CPU/delivery, pair by pair', 'p50', 'p99', 'publish → ack p50']];
  for (const shape of fanoutShapes) {
    const off = fanout.find((r) => r.peer === plain.label && r.shape === shape.name);
    const on = fanout.find((r) => r.peer === sealed.label && r.shape === shape.name);
    const pr = fanoutPairs.find((x) => x.shape === shape.name);
    if (off && on && pr)
      ratioRows.push([
        shape.name,
        pairsLabel(pr),
        ratio(on.deliveriesPerSec, off.deliveriesPerSec),
        ratio(on.serverCpuUsPerDelivery, off.serverCpuUsPerDelivery),
        spreadLabel(pr.rate),
        spreadLabel(pr.serverCpuPerItem),
        ratio(on.latency.p50Ms, off.latency.p50Ms),
        ratio(on.latency.p99Ms, off.latency.p99Ms),
        ratio(on.ackLatency?.p50Ms, off.ackLatency?.p50Ms),
      ]);
  }
  console.log(`\nratio sealed / plaintext (E2EE on / off): pooled over the pairs used, and pair by pair`);
  console.log(table(ratioRows));
}
if (durable.length) {
  console.log(`\ndurable publishes, ${PUBLISHERS} connections × window ${PUB_WINDOW}, michat SQLite FULL (each row: the median round by publishes/s of the pairs used; CPU per publish over them)`);
  const rows: Array<Array<string | number>> = [['payload', 'publishes/s', 'server CPU µs/publish', 'ack p50 ms', 'ack p99 ms', 'acked', 'server CPU', 'loadgen CPU', 'other load', 'rounds, publishes/s']];
  for (const r of durable) rows.push([r.payload, r.publishesPerSec, r.serverCpuUsPerPublish, r.ackLatency.p50Ms, r.ackLatency.p99Ms, `${r.acked}/${PUBLISHES}`, r.server.cpuPercent, r.loadgen.cpuPercent, r.machine.otherPercent, r.rounds.map(roundLabel).join(' / ')]);
  console.log(table(rows));
  const [off, on] = [durable.find((r) => r.payload === plain.label), durable.find((r) => r.payload === sealed.label)];
  if (off && on && durablePairs) {
    console.log(
      `ratio sealed / plaintext (${pairsLabel(durablePairs)}): publishes/s ${ratio(on.publishesPerSec, off.publishesPerSec)} (pair by pair ${spreadLabel(durablePairs.rate)}),` +
        ` server CPU per publish ${ratio(on.serverCpuUsPerPublish, off.serverCpuUsPerPublish)} (pair by pair ${spreadLabel(durablePairs.serverCpuPerItem)}), ack p50 ${ratio(on.ackLatency.p50Ms, off.ackLatency.p50Ms)}, ack p99 ${ratio(on.ackLatency.p99Ms, off.ackLatency.p99Ms)}`,
    );
  }
}
if (client.some((c) => c.result)) {
  const cs = client.filter((c) => c.result);
  console.log(`\nclient seal/open, ${SEAL.payloadBytes}-byte payloads (sealed: ${cs[0]!.result!.sealedBytes} B), one at a time; messages per second (µs each)`);
  const rows: Array<Array<string | number>> = [['', ...cs.map((c) => c.runtime)]];
  const line = (label: string, get: (r: SealResult) => Rate) => rows.push([label, ...cs.map((c) => `${perSec(get(c.result!))} (${us(get(c.result!))})`)]);
  line('sealPayload (sign + encrypt)', (r) => r.seal);
  line('openPayload (decrypt + verify)', (r) => r.open);
  line('  Ed25519 sign, as the SDK calls it', (r) => r.parts.ed25519Sign);
  line('  Ed25519 verify, as the SDK calls it', (r) => r.parts.ed25519Verify);
  line('  AES-256-GCM encrypt', (r) => r.parts.aesGcmEncrypt);
  line('  AES-256-GCM decrypt', (r) => r.parts.aesGcmDecrypt);
  line('  Ed25519 sign, key imported once', (r) => r.parts.ed25519SignKeyKept);
  line('  Ed25519 verify, key imported once', (r) => r.parts.ed25519VerifyKeyKept);
  console.log(table(rows));
  for (const c of client) console.log(`  ${c.runtime}: machine ${c.machineBusyPercent}% busy${c.otherLoadPercent !== undefined ? `, other load ${c.otherLoadPercent}%` : ''}${c.error ? `; ${c.error}` : ''}`);
}
if (joins.length) {
  const kb = (b: number | undefined) => (b === undefined ? '—' : `${formatNumber(round(b / 1024, 1))} KiB`);
  const stepRows = (label: string, get: (s: JoinStep) => number | undefined, show: (v: number | undefined) => string) => [
    label,
    ...joins.flatMap((j) => [show(get(j.first)), j.second ? show(get(j.second)) : '—']),
  ];
  console.log(`\nend to end: the N-th device joins by external Commit and reads one sealed message (the SDK's functions, one process, no network; ms unless said)`);
  const rows: Array<Array<string | number>> = [
    ['', ...joins.flatMap((j) => [`N=${j.members}: N-th, fresh tree`, `N+1-th, after a path`])],
    ['KeyPackage (key pair + package), each', ...joins.flatMap((j) => [ms(j.keyPackageMs), ''])],
    ['build: 1 Commit adding N − 2', ...joins.flatMap((j) => [ms(j.buildMs), ''])],
    ['build: its log entry', ...joins.flatMap((j) => [kb(j.buildEntryBytes), ''])],
    stepRows('newcomer: read the log entry', (s) => s.readEntryMs, ms),
    stepRows('newcomer: external Commit (joinExternal)', (s) => s.joinMs, ms),
    stepRows('newcomer: GroupInfo for its log entry', (s) => s.groupInfoMs, ms),
    stepRows('newcomer: save (keys, state encoded)', (s) => s.saveMs, ms),
    stepRows('newcomer: open the message', (s) => s.openMs, ms),
    stepRows('newcomer, in all', (s) => s.newcomerMs, ms),
    stepRows('a member applies the Commit', (s) => s.memberAppliesMs, ms),
    stepRows('a member saves', (s) => s.memberSavesMs, ms),
    stepRows('a member seals a text', (s) => s.sealMs, ms),
    stepRows('end to end (newcomer + member + seal)', (s) => s.endToEndMs, ms),
    stepRows('newcomer publishes: log entry', (s) => s.publishedEntryBytes, kb),
    stepRows('group state', (s) => s.stateBytes, kb),
  ];
  console.log(table(rows));
  for (const j of joins) if (j.note) console.log(`  N=${j.members}: ${j.note}`);
  if (joinRun) console.log(`  join child: ${round(joinRun.wallMs / 1000)} s, machine ${joinRun.machineBusyPercent}% busy${joinRun.otherLoadPercent !== undefined ? `, other load ${joinRun.otherLoadPercent}%` : ''}`);
}
for (const n of notes) console.log(`note: ${n}`);

const out = {
  date: started.toISOString(),
  durationSec: round((performance.now() - wallStart) / 1000, 1),
  commit,
  machine,
  processes: 'servers: one child process each (fork); load generator: the parent; seal/open and joins: child processes; Chromium: headless, one page; all unpinned on the same cores',
  config: {
    fanout: { subscribers: SUBSCRIBERS, subscriberUsers: SUBSCRIBER_USERS, warmup: FANOUT_WARMUP, rounds: FANOUT_ROUNDS, shapes: fanoutShapes },
    durable: { publishers: PUBLISHERS, publishes: PUBLISHES, windowPerConnection: PUB_WINDOW, warmup: PUB_WARMUP, rounds: PUB_ROUNDS },
    michatServer: { store: 'sqlite', sync: 'FULL', auth: 'on (EdDSA access tokens)', ack: 'after commit', connection: { ratePerSec: 1_000_000, burst: 1_000_000 } },
    seal: SEAL,
    joinSizes: JOIN_SIZES,
  },
  sizes,
  fanout,
  fanoutPairs,
  durable,
  ...(durablePairs ? { durablePairs } : {}),
  client,
  joins,
  ...(joinRun ? { joinRun } : {}),
  notes,
};
const resultsDir = join(here, 'results');
await mkdir(resultsDir, { recursive: true });
const file = join(resultsDir, `e2ee-${started.toISOString().slice(0, 10)}.json`);
await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwrote bench/results/${file.split('/').pop()} (${out.durationSec} s in all)`);
