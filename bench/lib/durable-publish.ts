/**
 * Durable publishes, as the core and the E2EE benchmark drive them: P publisher connections of
 * one user, each its own device (its own login), into one channel of one michat server; no
 * subscribers. Each connection keeps at most W publishes unacknowledged; a publish counts when
 * its `ack` arrives, which michat sends only after the commit that holds it.
 */
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { decodeServerFrame } from '@michat/protocol';
import { startChild } from './child.ts';
import type { SideUsage } from './machine.ts';
import type { MessagePayload, Stream } from './message-payload.ts';
import { MichatApi, benchChannel, channelName, join } from './michat-bootstrap.ts';
import { runRound } from './round.ts';
import { inBatches, michatConnect, sleep } from './sockets.ts';
import { round, summarize, type LatencySummary } from './stats.ts';
import { cleanOrAll, isClean, measureUsage, type MachineUsage } from './usage.ts';

const MICHAT_SERVER = new URL('../michat-server.ts', import.meta.url);

export interface DurableRound {
  acked: number;
  failed: number;
  errors: Record<string, number>;
  timedOut: boolean;
  elapsedMs: number;
  publishesPerSec: number;
  ackLatency: LatencySummary;
  server: SideUsage;
  loadgen: SideUsage;
  machine: MachineUsage;
  /** The server's CPU time over the round, ms. */
  serverCpuMs: number;
}

export interface DurableOptions {
  /** Arguments of the michat server child (store and sync mode). */
  serverArgs: string[];
  payload: MessagePayload;
  publishers: number;
  /** Unacknowledged publishes per connection, at most. */
  window: number;
  stallMs: number;
  capMs: number;
  connectConcurrency: number;
}

export interface DurablePublishers {
  /** Unmeasured publishes; says so on stderr if they timed out, then pauses 200 ms. */
  warmUp(total: number, label: string): Promise<void>;
  /** One measured round of `total` publishes over all connections (CPU-profiled into `profileFile` when given). */
  round(total: number, profileFile?: string): Promise<DurableRound>;
  close(): Promise<void>;
}

interface Conn {
  ws: WebSocket;
  stream: Stream;
  seq: number;
  inFlight: number;
  sent: number;
  done: number;
  target: number;
  sentAt: Map<number, number>;
}

/** Starts a michat server child, logs in its publishers and connects them. */
export async function openDurable(o: DurableOptions): Promise<DurablePublishers> {
  const server = await startChild(MICHAT_SERVER, o.serverArgs);
  const conns: Conn[] = [];
  const close = async () => {
    for (const c of conns) c.ws.terminate();
    await server.stop();
  };
  try {
    const api = new MichatApi(server.url);
    const bench = await benchChannel(api, ['writer']);
    const channel = channelName(bench.channel);
    // One login per connection: each is its own device (its own name stream).
    const sessions = await Promise.all(Array.from({ length: o.publishers }, (_, i) => api.login('writer', `bench-writer-${i + 1}`)));
    await join(api, bench.channel, sessions[0]!);

    let phaseTarget = 0;
    let measured = false;
    let acked = 0;
    let failed = 0;
    let lastAck = 0;
    let lastProgress = 0;
    let samples: number[] = [];
    let errors: Record<string, number> = {};
    let phaseDone: (() => void) | undefined;

    const pump = (c: Conn) => {
      while (c.inFlight < o.window && c.sent < c.target) {
        const seq = ++c.seq;
        c.sent++;
        c.inFlight++;
        c.sentAt.set(seq, performance.now());
        c.ws.send(o.payload.pubFrame(c.stream, seq, seq));
      }
    };
    const settle = (c: Conn) => {
      c.inFlight--;
      c.done++;
      lastProgress = performance.now();
      if (acked + failed === phaseTarget) phaseDone?.();
      else pump(c);
    };

    await inBatches(o.publishers, o.connectConcurrency, async (i) => {
      const ws = await michatConnect(server.wsUrl, sessions[i]!.accessToken);
      const c: Conn = { ws, stream: { channel, device: sessions[i]!.deviceId }, seq: 0, inFlight: 0, sent: 0, done: 0, target: 0, sentAt: new Map<number, number>() };
      conns.push(c);
      ws.on('message', (data: Buffer) => {
        const d = decodeServerFrame(data);
        if (!d.ok) return;
        const f = d.frame;
        if (f.t !== 'ack' && !(f.t === 'err' && f.id !== undefined)) return;
        const t0 = c.sentAt.get(f.id!);
        if (t0 === undefined) return;
        c.sentAt.delete(f.id!);
        const now = performance.now();
        if (f.t === 'ack') {
          acked++;
          lastAck = now;
          if (measured) samples.push(now - t0);
        } else {
          failed++;
          errors[f.kind] = (errors[f.kind] ?? 0) + 1;
        }
        settle(c);
      });
    });

    /** Shares `total` publishes out over the connections and makes their objects (not measured). */
    const preparePhase = async (total: number) => {
      conns.forEach((c, i) => {
        c.target = c.sent + Math.floor(total / conns.length) + (i < total % conns.length ? 1 : 0);
      });
      if (o.payload.prepare) for (const c of conns) await o.payload.prepare(c.stream, c.seq + 1, c.target - c.sent);
    };
    const runPhase = async (total: number, isMeasured: boolean): Promise<{ timedOut: boolean; elapsedMs: number }> => {
      measured = isMeasured;
      acked = 0;
      failed = 0;
      samples = [];
      errors = {};
      phaseTarget = total;
      const startedAt = performance.now();
      lastProgress = startedAt;
      lastAck = startedAt;
      const { timedOut } = await runRound({
        stallMs: o.stallMs,
        capMs: o.capMs,
        startedAt,
        lastProgress: () => lastProgress,
        start: (done) => {
          phaseDone = done;
          if (total === 0) done();
          else for (const c of conns) pump(c);
        },
        onFinish: () => {
          phaseDone = undefined;
        },
      });
      return { timedOut, elapsedMs: lastAck - startedAt };
    };

    return {
      async warmUp(total, label) {
        if (total <= 0) return;
        await preparePhase(total);
        const w = await runPhase(total, false);
        if (w.timedOut) console.error(`  ${label}: warm-up timed out after ${acked} of ${total} acks`);
        await sleep(200);
      },
      async round(total, profileFile) {
        await preparePhase(total);
        const { result, server: su, loadgen, machine: mu, serverCpuMs } = await measureUsage(server, profileFile, () => runPhase(total, true));
        const r: DurableRound = {
          acked,
          failed,
          errors: { ...errors },
          timedOut: result.timedOut,
          elapsedMs: round(result.elapsedMs, 1),
          publishesPerSec: round((acked / result.elapsedMs) * 1000),
          ackLatency: summarize(Float64Array.from(samples)),
          server: su,
          loadgen,
          machine: mu,
          serverCpuMs,
        };
        await sleep(200);
        return r;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The median clean round (all rounds when none was clean) by publishes/s, and how many rounds it was taken over. */
export function medianRound(rounds: DurableRound[]): { median: DurableRound; used: number } {
  const used = cleanOrAll(rounds);
  return { median: [...used].sort((a, b) => a.publishesPerSec - b.publishesPerSec)[Math.floor(used.length / 2)]!, used: used.length };
}

