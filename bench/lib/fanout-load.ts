/**
 * The fan-out load of the core and the cluster benchmark, as the load generator drives it.
 * P publishers send a phase's messages into one channel (room) of S subscribers; a message
 * is through once all S have it. Message k belongs to publisher (k - first) mod P, which
 * keeps at most `window` of its messages not yet through; with a rate, message k is due at
 * the phase's start + (k - first) / rate. A delivery's latency is its receipt time minus the
 * send time in the message's tail (or, with `seqOf`, the time the load generator sent it); an
 * ack's (michat) is its receipt minus the send.
 */
import { performance } from 'node:perf_hooks';
import type { FanoutRoundTotals } from './fanout-results.ts';
import { parseTail, tailTs } from './message-tail.ts';
import { runRound } from './round.ts';
import { sleep } from './sockets.ts';
import { round, summarize } from './stats.ts';

export interface FanoutPhase {
  /** Messages per publisher. */
  messages: number;
  /** Messages per publisher whose fan-out is incomplete, at most. */
  window: number;
  /** Messages per second over all publishers; 0: as fast as the window allows. */
  rate: number;
}

export interface FanoutLoadOptions {
  subscribers: number;
  publishers: number;
  /** Sends message k from publisher p. */
  send(p: number, k: number): void;
  /** Decodes the first delivery fully; throws unless it is message k. */
  check(data: Buffer, k: number): void;
  /** Bytes a delivered frame has after the payload's closing `"}` (see parseTail). */
  trailing: number;
  /**
   * Instead of the text tail: the message number of a delivered frame, or -1 when it is not a
   * benchmark message (payloads that are not JSON text, e.g. sealed ones). A delivery's latency
   * is then its receipt minus the time the load generator sent the message.
   */
  seqOf?: (data: Buffer) => number;
  /** Whether publishes are acknowledged (michat); then rounds report ack latency. */
  acks: boolean;
  /** See runRound. */
  stallMs: number;
  capMs: number;
}

export interface FanoutLoad {
  /** Handles a subscriber's frame; true when it was a benchmark message. */
  deliver(sub: number, data: Buffer): boolean;
  /** Message k was acknowledged. */
  ack(k: number): void;
  /** Message k failed; true when it is one of the running phase's, which then counts it as through. */
  fail(k: number): boolean;
  /** An unmeasured phase (none for 0 messages); says so on stderr if it timed out, then pauses 200 ms. */
  warmUp(phase: FanoutPhase, label: string): Promise<void>;
  /** A measured phase; resolves when it has ended. */
  measure(phase: FanoutPhase): Promise<void>;
  /** What the last measured phase delivered; summarized on demand, outside the measured interval. */
  results(): { totals: FanoutRoundTotals; latencies: Float64Array; acks: Float64Array };
}

export function fanoutLoad(o: FanoutLoadOptions): FanoutLoad {
  const P = o.publishers;
  const S = o.subscribers;
  // Per-phase state, read by the hot handlers.
  let phase: { first: number; last: number; window: number; rate: number; measured: boolean } | undefined;
  let counts = new Uint32Array(0);
  let perSubscriber = new Uint32Array(S);
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
  let last = { messages: 0, timedOut: false, elapsedMs: 0 };
  const next = new Array<number>(P).fill(0);
  const inFlight = new Array<number>(P).fill(0);
  const pacers = new Array<NodeJS.Timeout | undefined>(P).fill(undefined);

  const inPhase = (k: number) => phase !== undefined && k >= phase.first && k <= phase.last;
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
      next[p] = k + P;
      inFlight[p]!++;
      sentAt[k - ph.first] = performance.now();
      o.send(p, k);
    }
  };
  const complete = (k: number) => {
    const ph = phase!;
    const p = (k - ph.first) % P;
    inFlight[p]!--;
    completed++;
    lastProgress = performance.now();
    if (completed === ph.last - ph.first + 1) phaseDone?.();
    else pump(p);
  };

  const runPhase = async (shape: FanoutPhase, measured: boolean): Promise<{ messages: number; timedOut: boolean; elapsedMs: number }> => {
    const count = shape.messages * P;
    const first = nextMessage;
    nextMessage += count;
    phase = { first, last: first + count - 1, window: shape.window, rate: shape.rate, measured };
    counts = new Uint32Array(count);
    perSubscriber = new Uint32Array(S);
    latencies = new Float64Array(measured ? count * S : 0);
    sentAt = new Float64Array(count);
    ackSamples = [];
    delivered = 0;
    completed = 0;
    failed = 0;
    for (let p = 0; p < P; p++) {
      next[p] = first + p;
      inFlight[p] = 0;
    }
    startedAt = performance.now();
    lastProgress = startedAt;
    lastDelivery = startedAt;
    const { timedOut } = await runRound({
      stallMs: o.stallMs,
      capMs: o.capMs,
      startedAt,
      lastProgress: () => lastProgress,
      start: (done) => {
        phaseDone = done;
        if (count === 0) done();
        else for (let p = 0; p < P; p++) pump(p);
      },
      onFinish: () => {
        for (let p = 0; p < P; p++) {
          if (pacers[p]) clearTimeout(pacers[p]);
          pacers[p] = undefined;
        }
        phaseDone = undefined;
      },
    });
    phase = undefined;
    return { messages: count, timedOut, elapsedMs: lastDelivery - startedAt };
  };

  return {
    deliver(sub, data) {
      const k = o.seqOf ? o.seqOf(data) : parseTail(data, o.trailing);
      if (k < 0 || !phase || k < phase.first || k > phase.last) return k >= 0;
      const now = performance.now();
      if (!checked) {
        checked = true;
        o.check(data, k);
      }
      if (phase.measured) latencies[delivered] = now - (o.seqOf ? sentAt[k - phase.first]! : tailTs);
      delivered++;
      perSubscriber[sub]!++;
      lastDelivery = now;
      if (++counts[k - phase.first]! === S) complete(k);
      return true;
    },
    ack(k) {
      if (phase?.measured && inPhase(k)) ackSamples.push(performance.now() - sentAt[k - phase.first]!);
    },
    fail(k) {
      if (!inPhase(k)) return false;
      failed++;
      complete(k);
      return true;
    },
    async warmUp(shape, label) {
      if (shape.messages === 0) return;
      const w = await runPhase(shape, false);
      if (w.timedOut) console.error(`  ${label}: warm-up timed out after ${delivered} of ${w.messages * S} deliveries`);
      await sleep(200);
    },
    async measure(shape) {
      last = await runPhase(shape, true);
    },
    results() {
      const { messages, timedOut, elapsedMs } = last;
      const expected = messages * S;
      let short = 0;
      for (const c of perSubscriber) if (c < messages) short++;
      const samples = latencies.slice(0, delivered);
      const acks = Float64Array.from(ackSamples);
      const totals: FanoutRoundTotals = {
        messages,
        expectedDeliveries: expected,
        deliveries: delivered,
        shortfall: expected - delivered,
        subscribersShort: short,
        failedPublishes: failed,
        timedOut,
        elapsedMs: round(elapsedMs, 1),
        deliveriesPerSec: round((delivered / elapsedMs) * 1000),
        latency: summarize(samples.slice()),
        ...(o.acks ? { ackLatency: summarize(acks.slice()) } : {}),
      };
      return { totals, latencies: samples, acks };
    },
  };
}
