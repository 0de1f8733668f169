/**
 * michat relay benchmark. Not a test: no thresholds, no pass/fail; it prints what it measured.
 * Run from the repository root: `npm run bench:relay`; options: `npm run -w bench bench:relay -- --help`.
 * Method and numbers: docs/benchmarks.md, "Relays: hops and resync".
 *
 * A tree started as an operator starts it, each part a `michat` process from the CLI:
 *   origin (`michat serve`, SQLite) ← cloud relay (`michat relay`) ← TCP link ← local relay.
 * The TCP link is a byte-counting proxy in this process, which is also the load generator.
 *
 * 1. Hops: one publisher at the origin sends M messages per round (windowed); S subscribers
 *    sit directly on the origin, on the cloud relay (1 hop) or on the local relay (2 hops),
 *    in turn, the order alternating between rounds. Deliveries per second and publish →
 *    delivery latency (the object's `created`, on this machine's one clock).
 * 2. Resync: the channel holds H messages; the link is cut, K are published at the origin,
 *    the link is restored, and the bytes crossing it until the local relay holds all K are
 *    counted, for several K, beside the bytes of the whole history (what resending it costs).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type WebSocket from 'ws';
import { CHANNEL_BITS, VersionVector, decodeObject, decodeServerFrame, encodeFrame, nameDevice, nameSeq, type Channel, type Session } from '@michat/protocol';
import { TcpProxy, channelPrefix, startListening, textObject } from '@michat/testkit';
import { commitMeasured, machineInfo } from './lib/machine.ts';
import { alternateRounds } from './lib/round.ts';
import { inBatches, michatConnect, sleep } from './lib/sockets.ts';
import { round, summarize, table } from './lib/stats.ts';

const { values: opt } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '100' },
    messages: { type: 'string', default: '1000' },
    window: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    history: { type: 'string', default: '5000' },
    missed: { type: 'string', default: '0,10,100,1000' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`npm run -w bench bench:relay -- [options]   (from the repository root)
  --subscribers N   subscribers at the level measured (100)
  --messages N      messages per round from the one publisher at the origin (1000)
  --window N        publishes in flight at most (50)
  --rounds N        rounds per level; the levels' rounds alternate (3)
  --history N       messages in the channel before the resync runs (5000)
  --missed LIST     messages published at the origin while the LAN is cut, per resync run (0,10,100,1000)`);
  process.exit(0);
}
const int = (v: string | undefined, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not ${v}`);
  return n;
};
const SUBSCRIBERS = Math.max(1, int(opt.subscribers, 'subscribers'));
const MESSAGES = Math.max(1, int(opt.messages, 'messages'));
const WINDOW = Math.max(1, int(opt.window, 'window'));
const ROUNDS = Math.max(1, int(opt.rounds, 'rounds'));
const HISTORY = int(opt.history, 'history');
const MISSED = (opt.missed ?? '').split(',').map((v) => int(v.trim(), 'missed'));
/** A round or resync that takes longer than this stops and reports what is missing. */
const CAP_MS = 120_000;
const PASSWORD = 'bench-password-42';
const MICHAT_BIN = fileURLToPath(new URL('../packages/cli/bin/michat.js', import.meta.url));

// ---- the tree, started from the CLI ----------------------------------------------------------

const children: ChildProcess[] = [];

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MICHAT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`michat ${args.join(' ')}: ${out}`))));
  });
}

/** A long-lived `michat …`; resolves with the URL it prints. */
async function start(args: string[], env: Record<string, string>, listening: RegExp): Promise<string> {
  const p = await startListening(MICHAT_BIN, args, env, listening);
  children.push(p.child);
  return p.url;
}

async function api<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface Tree {
  origin: string;
  cloud: string;
  local: string;
  link: TcpProxy;
  admin: Session;
}

async function startTree(dir: string): Promise<Tree> {
  const data = join(dir, 'origin');
  await run(['admin', 'init', '--data', data, '--org', 'bench', '--user', 'admin', '--password', PASSWORD]);
  for (const name of ['cloud-relay', 'lan-relay']) await run(['admin', 'relay', 'add', name, '--data', data, '--password', PASSWORD]);
  const fast = ['--rate', '100000', '--burst', '100000'];
  const origin = await start(['serve', '--host', '127.0.0.1', '--port', '0', '--data', data, '--log-level', 'warn', ...fast], { MICHAT_LIMIT_PUBLISH_USER: 'off', MICHAT_LIMIT_AUTH_IP: 'off', MICHAT_LIMIT_API_USER: 'off' }, /michat listening on (http:\/\/\S+)/);
  const relay = (upstream: string, user: string, name: string) =>
    start(['relay', '--upstream', upstream, '--user', user, '--host', '127.0.0.1', '--port', '0', '--data', join(dir, name), '--log-level', 'warn'], { MICHAT_RELAY_PASSWORD: PASSWORD }, /michat relay listening on (http:\/\/\S+)/);
  const cloud = await relay(origin, 'cloud-relay', 'cloud');
  const link = await TcpProxy.start(cloud);
  const local = await relay(link.url, 'lan-relay', 'local');
  const admin = await api<Session>(origin, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD });
  return { origin, cloud, local, link, admin };
}

/** A team with a channel, and `users` members in it (their sessions). */
async function channelWith(t: Tree, name: string, users: number): Promise<{ channel: Channel; members: Session[] }> {
  const team = await api<{ id: number }>(t.origin, 'POST', '/api/teams', { name }, t.admin.accessToken);
  const channel = await api<Channel>(t.origin, 'POST', `/api/teams/${team.id}/channels`, { name: 'general' }, t.admin.accessToken);
  const members: Session[] = [];
  for (let i = 0; i < users; i++) {
    const username = `${name}-u${i}`;
    await api(t.origin, 'POST', '/api/users', { username, password: PASSWORD }, t.admin.accessToken);
    await api(t.origin, 'POST', `/api/teams/${team.id}/members`, { username }, t.admin.accessToken);
    const s = await api<Session>(t.origin, 'POST', '/api/auth/login', { username, password: PASSWORD });
    await api(t.origin, 'POST', `/api/channels/${channel.id}/join`, undefined, s.accessToken);
    members.push(s);
  }
  return { channel, members };
}

const wsOf = (http: string) => `${http.replace(/^http/, 'ws')}/ws`;

// ---- 1. hops ---------------------------------------------------------------------------------

type Level = 'direct' | '1 hop' | '2 hops';

interface Subscriber {
  ws: WebSocket;
  got: number;
}

/** S subscribed sockets at a level; each counts deliveries and records latencies into `lat`. */
async function subscribers(url: string, tokens: string[], channel: Channel, onObj: (created: number) => void): Promise<Subscriber[]> {
  return inBatches(SUBSCRIBERS, 25, async (i) => {
    const ws = await michatConnect(wsOf(url), tokens[i % tokens.length]!);
    const s: Subscriber = { ws, got: 0 };
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const d = decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (!d.ok) return;
        if (d.frame.t === 'subok') resolve();
        else if (d.frame.t === 'err' && d.frame.id === 1) reject(new Error(`sub refused: ${d.frame.msg}`));
        else if (d.frame.t === 'obj') {
          s.got++;
          onObj(decodeObject(d.frame.obj).created);
        }
      });
      ws.send(encodeFrame({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: CHANNEL_BITS }));
    });
    return s;
  });
}

/** Publishes `count` messages from `seq0`, at most WINDOW unacknowledged. */
async function publish(ws: WebSocket, channel: Channel, who: Session, seq0: number, count: number): Promise<void> {
  let next = 0;
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    const send = () => {
      while (next < count && next - acked < WINDOW) {
        const seq = seq0 + next++;
        ws.send(encodeFrame({ t: 'pub', id: seq, obj: textObject(channel, who, seq, `m${seq}`).bytes }));
      }
    };
    const onMessage = (data: Buffer) => {
      const d = decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (!d.ok) return;
      if (d.frame.t === 'err') return reject(new Error(`publish refused: ${d.frame.msg}`));
      if (d.frame.t !== 'ack') return;
      if (++acked === count) {
        ws.off('message', onMessage);
        resolve();
      } else send();
    };
    ws.on('message', onMessage);
    send();
  });
}

async function measureHops(t: Tree): Promise<Record<Level, { deliveriesPerSec: number; p50Ms: number; p99Ms: number; complete: boolean }>> {
  const { channel, members } = await channelWith(t, 'hops', 11);
  const publisher = members[0]!;
  const tokens = members.slice(1).map((m) => m.accessToken);
  const pubWs = await michatConnect(wsOf(t.origin), publisher.accessToken);
  const urls: Record<Level, string> = { direct: t.origin, '1 hop': t.cloud, '2 hops': t.local };
  let seq = 1;
  // Warm-up: every level follows the channel before the first round.
  for (const level of Object.keys(urls) as Level[]) {
    const subs = await subscribers(urls[level], tokens, channel, () => undefined);
    await publish(pubWs, channel, publisher, seq, 20);
    seq += 20;
    await sleep(500);
    for (const s of subs) s.ws.close();
  }
  const rounds = await alternateRounds(Object.keys(urls) as Level[], ROUNDS, async (level) => {
    const latencies: number[] = [];
    const subs = await subscribers(urls[level], tokens, channel, (created) => latencies.push(Date.now() - created));
    const want = SUBSCRIBERS * MESSAGES;
    const started = performance.now();
    await publish(pubWs, channel, publisher, seq, MESSAGES);
    seq += MESSAGES;
    while (subs.reduce((n, s) => n + s.got, 0) < want && performance.now() - started < CAP_MS) await sleep(5);
    const seconds = (performance.now() - started) / 1000;
    const got = subs.reduce((n, s) => n + s.got, 0);
    for (const s of subs) s.ws.close();
    await sleep(300);
    return { got, want, seconds, latencies };
  });
  pubWs.close();
  const out = {} as Record<Level, { deliveriesPerSec: number; p50Ms: number; p99Ms: number; complete: boolean }>;
  for (const [level, rs] of rounds) {
    const all = Float64Array.from(rs.flatMap((r) => r.latencies));
    const lat = summarize(all);
    out[level] = {
      deliveriesPerSec: round(rs.reduce((n, r) => n + r.got, 0) / rs.reduce((n, r) => n + r.seconds, 0)),
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
      complete: rs.every((r) => r.got === r.want),
    };
  }
  return out;
}

// ---- 2. resync bytes -------------------------------------------------------------------------

interface ResyncRun {
  missed: number;
  bytes: number;
  ms: number;
  complete: boolean;
}

async function measureResync(t: Tree): Promise<{ historyBytes: number; runs: ResyncRun[] }> {
  const { channel, members } = await channelWith(t, 'resync', 2);
  const [writer, reader] = members as [Session, Session];
  const pubWs = await michatConnect(wsOf(t.origin), writer.accessToken);
  let seq = 1;
  await publish(pubWs, channel, writer, seq, HISTORY);
  seq += HISTORY;
  const historyBytes = HISTORY * textObject(channel, writer, HISTORY, `m${HISTORY}`).bytes.length;
  // The LAN reader holds the whole history: the local relay follows the channel.
  const held = new VersionVector();
  const lan = await michatConnect(wsOf(t.local), reader.accessToken);
  lan.on('message', (data: Buffer) => {
    const d = decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (!d.ok) return;
    const objs = d.frame.t === 'obj' ? [d.frame.obj] : d.frame.t === 'objs' ? d.frame.objs : [];
    for (const o of objs) held.add(nameDevice(o.subarray(2, 18)), nameSeq(o.subarray(2, 18)));
  });
  lan.send(encodeFrame({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: CHANNEL_BITS }));
  const until = async (n: number) => {
    const started = performance.now();
    while (held.count() < n && performance.now() - started < CAP_MS) await sleep(5);
    return held.count() >= n;
  };
  if (!(await until(HISTORY))) throw new Error('the LAN never caught up with the history');
  const runs: ResyncRun[] = [];
  for (const missed of MISSED) {
    await sleep(1_500); // the relays' heartbeats settle
    await t.link.cut();
    await sleep(500);
    if (missed) await publish(pubWs, channel, writer, seq, missed);
    seq += missed;
    const before = t.link.bytes.up + t.link.bytes.down;
    const started = performance.now();
    await t.link.restore();
    const complete = await until(seq - 1);
    const ms = performance.now() - started;
    await sleep(1_000); // a heartbeat round after the last object: counted, it is part of healing
    runs.push({ missed, bytes: t.link.bytes.up + t.link.bytes.down - before, ms: round(ms), complete });
  }
  lan.close();
  pubWs.close();
  return { historyBytes, runs };
}

// ---- run -------------------------------------------------------------------------------------

const dir = await mkdtemp(join(tmpdir(), 'michat-relay-bench-'));
try {
  const tree = await startTree(dir);
  console.log(`tree up: origin ${tree.origin} ← cloud relay ${tree.cloud} ← link :${tree.link.port} ← local relay ${tree.local}`);
  const hops = await measureHops(tree);
  const direct = hops.direct.deliveriesPerSec;
  console.log(`\nHops: ${SUBSCRIBERS} subscribers, ${MESSAGES} messages per round from one publisher at the origin (window ${WINDOW}), ${ROUNDS} rounds`);
  console.log(
    table([
      ['level', 'deliveries/s', 'vs direct', 'p50 ms', 'p99 ms', 'complete'],
      ...(Object.entries(hops) as Array<[Level, (typeof hops)[Level]]>).map(([level, h]) => [level, h.deliveriesPerSec, `${round(h.deliveriesPerSec / direct, 2)}×`, h.p50Ms, h.p99Ms, h.complete ? 'yes' : 'NO']),
    ]),
  );
  const resync = await measureResync(tree);
  console.log(`\nResync after a cut LAN link: channel of ${HISTORY} messages (${resync.historyBytes} bytes of objects)`);
  console.log(
    table([
      ['missed', 'bytes on the link', 'bytes per missed', 'vs whole history', 'heal ms', 'complete'],
      ...resync.runs.map((r) => [r.missed, r.bytes, r.missed ? round(r.bytes / r.missed) : '-', `${round(r.bytes / resync.historyBytes, 3)}×`, r.ms, r.complete ? 'yes' : 'NO']),
    ]),
  );
  const results = { commit: commitMeasured(), date: new Date().toISOString(), machine: machineInfo(), options: { SUBSCRIBERS, MESSAGES, WINDOW, ROUNDS, HISTORY, MISSED }, hops, resync };
  const resultsDir = new URL('./results/', import.meta.url);
  await mkdir(resultsDir, { recursive: true });
  const file = new URL(`relay-${results.date.slice(0, 10)}.json`, resultsDir);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults: bench/results/relay-${results.date.slice(0, 10)}.json`);
  await tree.link.close();
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(500);
  await rm(dir, { recursive: true, force: true });
}
