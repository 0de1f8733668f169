/**
 * One fan-out peer of the core and the E2EE benchmark: its server child, S subscribers in one
 * channel and one publisher, warmed up, then measured rounds on demand (so the rounds of two
 * peers can alternate). Peers are a michat server (bench/michat-server.ts) or the bare `ws`
 * broadcast server (bench/peers/bare-ws-server.ts).
 */
import type WebSocket from 'ws';
import { decodeClientFrame, decodeObject, decodeServerFrame, nameSeq, type MichatObject, type Session } from '@michat/protocol';
import { startChild } from './child.ts';
import { fanoutLoad } from './fanout-load.ts';
import { deliveriesLine, mean, poolRounds, type FanoutRoundTotals, type FanoutTotals, type Measured } from './fanout-results.ts';
import type { SideUsage } from './machine.ts';
import { seqByName, type MessagePayload, type Stream } from './message-payload.ts';
import { MichatApi, benchChannel, channelName, join } from './michat-bootstrap.ts';
import { inBatches, michatConnect, michatSubscribe, openSocket, sleep } from './sockets.ts';
import { isClean, measureUsage, type MachineUsage } from './usage.ts';

const MICHAT_SERVER = new URL('../michat-server.ts', import.meta.url);
const BARE_WS_SERVER = new URL('../peers/bare-ws-server.ts', import.meta.url);

export type PeerKind = 'bare-ws' | 'michat';

export interface FanoutShape {
  name: string;
  messages: number;
  window: number;
  rate: number;
}

/** One measured round of one shape against one peer. */
export interface FanoutRound extends FanoutRoundTotals {
  round: number;
  server: SideUsage;
  loadgen: SideUsage;
  machine: MachineUsage;
  /** The server's CPU time over the round, ms. */
  serverCpuMs: number;
}

/** All rounds of one shape against one peer, pooled (see poolRounds). */
export interface FanoutResult extends FanoutTotals {
  peer: string;
  shape: string;
  subscribers: number;
  /** Means over the rounds. */
  server: SideUsage;
  loadgen: SideUsage;
  machine: MachineUsage;
  /** Server CPU time per delivery over the rounds used, µs. */
  serverCpuUsPerDelivery: number;
  /** Rounds pooled (the clean ones, or all when none was clean). */
  roundsUsed: number;
  rounds: FanoutRound[];
}

export interface FanoutPeer {
  /** One measured round of `shape`, with every delivery's and ack's latency (ms). */
  run(shape: FanoutShape, round: number): Promise<Measured<FanoutRound>>;
  close(): Promise<void>;
}

export interface FanoutPeerOptions {
  /** The peer's name in reports. */
  label: string;
  kind: PeerKind;
  /** Arguments of the server child (michat: store and sync mode). */
  serverArgs: string[];
  payload: MessagePayload;
  subscribers: number;
  /** michat: users the subscribers log in as; each user's token is shared by its connections. */
  subscriberUsers: number;
  /** Warm-up messages, not measured. */
  warmup: number;
  /** Window of the warm-up. */
  window: number;
  stallMs: number;
  capMs: number;
  connectConcurrency: number;
  /** Where to write a CPU profile of the server for a round (`${label} fanout ${shape}`), or undefined for none. */
  profileFile?: (name: string) => string | undefined;
}

/**
 * Starts one peer's server child, sets up its subscribers and publisher, and warms up;
 * then runs measured rounds on demand.
 */
export async function openFanout(o: FanoutPeerOptions): Promise<FanoutPeer> {
  const michat = o.kind === 'michat';
  const server = await startChild(michat ? MICHAT_SERVER : BARE_WS_SERVER, o.serverArgs);
  const sockets: WebSocket[] = [];
  const close = async () => {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  };
  try {
    // Set up: users, channel and sessions (michat); subscriber and publisher sockets.
    let channel: Uint8Array = new Uint8Array(16);
    let publisher: Session | undefined;
    let readerSessions: Session[] = [];
    if (michat) {
      const api = new MichatApi(server.url);
      const readers = Array.from({ length: o.subscriberUsers }, (_, i) => `reader${i + 1}`);
      const bench = await benchChannel(api, ['writer', ...readers]);
      channel = channelName(bench.channel);
      const sessions = await Promise.all(['writer', ...readers].map((u) => api.login(u, `bench-${u}`)));
      for (const s of sessions) await join(api, bench.channel, s);
      publisher = sessions[0]!;
      readerSessions = sessions.slice(1);
    } else {
      channel.set([1, 0, 0x10, 0x01, 0, 0x01, 0, 0, 0x01]); // any name: the bare peer never looks
    }

    // One publisher: message seq is also its name's seq and its pub frame's id.
    let pubWs: WebSocket;
    const stream: Stream = { channel, device: publisher?.deviceId ?? 1 };
    let firstDelivery: { obj: MichatObject; seq: number } | undefined;
    let verified = false;
    const load = fanoutLoad({
      subscribers: o.subscribers,
      publishers: 1,
      send: (_p, seq) => pubWs.send(o.payload.pubFrame(stream, seq, seq)),
      check: (data, seq) => {
        // Once per run: the fast parse agrees with a full decode of the same frame (the bare
        // peer forwards the publisher's `pub` frame as it is; michat delivers an `obj` frame).
        let obj: Uint8Array | undefined;
        if (michat) {
          const d = decodeServerFrame(data);
          if (!d.ok || d.frame.t !== 'obj') throw new Error(`michat delivered something that is not an obj frame: ${d.ok ? d.frame.t : d.error.message}`);
          obj = d.frame.obj;
        } else {
          const d = decodeClientFrame(data);
          if (!d.ok || d.frame.t !== 'pub') throw new Error(`the bare peer delivered something that is not a pub frame: ${d.ok ? d.frame.t : d.error.message}`);
          obj = d.frame.obj;
        }
        const copy = decodeObject(new Uint8Array(obj));
        if (nameSeq(copy.name) !== seq) throw new Error(`delivery ${seq} holds message ${nameSeq(copy.name)}`);
        firstDelivery = { obj: copy, seq };
      },
      trailing: 0,
      ...(o.payload.find === 'name' ? { seqOf: seqByName(stream, o.payload.payloadBytes) } : {}),
      acks: michat,
      stallMs: o.stallMs,
      capMs: o.capMs,
    });
    const verify = async () => {
      if (verified || !firstDelivery) return;
      verified = true;
      await o.payload.verify(firstDelivery.obj, stream, firstDelivery.seq);
    };

    // Subscribers.
    await inBatches(o.subscribers, o.connectConcurrency, async (i) => {
      const ws = await openSocket(server.wsUrl);
      sockets.push(ws);
      ws.on('error', () => undefined);
      if (!michat) ws.on('message', (data: Buffer) => load.deliver(i, data));
      else await michatSubscribe(ws, readerSessions[i % readerSessions.length]!.accessToken, channel, (data) => load.deliver(i, data), `subscriber ${i}`);
    });

    // Publisher.
    if (michat) {
      pubWs = await michatConnect(server.wsUrl, publisher!.accessToken);
      pubWs.on('message', (data: Buffer) => {
        const d = decodeServerFrame(data);
        if (!d.ok) return;
        const f = d.frame;
        if (f.t === 'ack') load.ack(f.id);
        else if (f.t === 'err' && f.id !== undefined && load.fail(f.id)) console.error(`  publish ${f.id} failed: ${f.kind} ${f.msg}`);
      });
    } else {
      pubWs = await openSocket(server.wsUrl);
    }
    sockets.push(pubWs);

    // Messages are numbered from 1 across phases (fanoutLoad numbers them the same way).
    let nextSeq = 1;
    const prepare = async (count: number) => {
      await o.payload.prepare?.(stream, nextSeq, count);
      nextSeq += count;
    };

    // Warm-up (not measured), then measured rounds on demand.
    await prepare(o.warmup);
    await load.warmUp({ messages: o.warmup, window: o.window, rate: 0 }, o.label);
    await verify();
    const run = async (shape: FanoutShape, roundNo: number): Promise<Measured<FanoutRound>> => {
      await prepare(shape.messages);
      const profile = roundNo === 1 ? o.profileFile?.(`${o.label} fanout ${shape.name}`) : undefined;
      const { server: su, loadgen, machine: mu, serverCpuMs } = await measureUsage(server, profile, () => load.measure(shape));
      const { totals, latencies, acks } = load.results();
      const r: FanoutRound = { round: roundNo, ...totals, server: su, loadgen, machine: mu, serverCpuMs };
      console.log(
        `  ${o.label.padEnd(7)} ${shape.name.padEnd(16)} round ${roundNo}: ${deliveriesLine(r)}` +
          ` (server CPU ${su.cpuPercent}%, loop ${su.eventLoopPercent}%; load generator CPU ${loadgen.cpuPercent}%, loop ${loadgen.eventLoopPercent}%; other load ${mu.otherPercent}%)${r.timedOut ? ' TIMED OUT' : ''}`,
      );
      await verify();
      await sleep(200);
      return { round: r, latencies, acks };
    };
    return { run, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Pools the clean rounds (or all, when none is clean) of one peer and shape; `use` says which
 * rounds count instead of "clean" (the E2EE benchmark takes pairs of rounds, both clean).
 */
export function poolFanout(label: string, acks: boolean, subscribers: number, shape: FanoutShape, measured: Array<Measured<FanoutRound>>, use: (r: FanoutRound) => boolean = isClean): FanoutResult {
  const { totals, used } = poolRounds(measured, use, acks);
  const m = (f: (r: FanoutRound) => number) => mean(used, f);
  const cpuMs = used.reduce((t, r) => t + r.serverCpuMs, 0);
  const deliveries = used.reduce((t, r) => t + r.deliveries, 0);
  return {
    peer: label,
    shape: shape.name,
    subscribers,
    ...totals,
    server: { cpuPercent: m((r) => r.server.cpuPercent), eventLoopPercent: m((r) => r.server.eventLoopPercent) },
    loadgen: { cpuPercent: m((r) => r.loadgen.cpuPercent), eventLoopPercent: m((r) => r.loadgen.eventLoopPercent) },
    machine: { busyBeforePercent: m((r) => r.machine.busyBeforePercent), busyPercent: m((r) => r.machine.busyPercent), otherPercent: m((r) => r.machine.otherPercent) },
    serverCpuUsPerDelivery: deliveries ? Math.round((cpuMs / deliveries) * 1000 * 100) / 100 : NaN,
    roundsUsed: used.length,
    rounds: measured.map((x) => x.round),
  };
}
