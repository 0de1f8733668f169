/** What fan-out delivered: in one measured round, and pooled over rounds. */
import { round, summarize, type LatencySummary } from './stats.ts';

export interface FanoutTotals {
  messages: number;
  expectedDeliveries: number;
  deliveries: number;
  /** Missing deliveries. */
  shortfall: number;
  failedPublishes: number;
  timedOut: boolean;
  elapsedMs: number;
  deliveriesPerSec: number;
  /** Publish → receipt at a subscriber, every delivery. */
  latency: LatencySummary;
  /** michat only: publish → ack. */
  ackLatency?: LatencySummary;
}

export interface FanoutRoundTotals extends FanoutTotals {
  /** Subscribers that missed at least one message. */
  subscribersShort: number;
}

/** A measured round and its samples (ms, unsorted), kept for pooling. */
export interface Measured<R> {
  round: R;
  latencies: Float64Array;
  acks: Float64Array;
}

export const sum = <R>(rs: R[], f: (r: R) => number): number => rs.reduce((t, r) => t + f(r), 0);
/** The mean over `rs`, to a whole number. */
export const mean = <R>(rs: R[], f: (r: R) => number): number => round(sum(rs, f) / rs.length);

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((t, a) => t + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/**
 * Pools the clean rounds (all, when none was clean): deliveries over summed time, latency
 * over every sample; `used` are the rounds pooled. Shortfalls, failures and time-outs count
 * over every round, pooled or not.
 */
export function poolRounds<R extends FanoutRoundTotals>(measured: Array<Measured<R>>, isClean: (r: R) => boolean, acks: boolean): { totals: FanoutTotals; used: R[] } {
  const pooled = measured.some((m) => isClean(m.round)) ? measured.filter((m) => isClean(m.round)) : measured;
  const used = pooled.map((m) => m.round);
  const every = measured.map((m) => m.round);
  const deliveries = sum(used, (r) => r.deliveries);
  const elapsedMs = sum(used, (r) => r.elapsedMs);
  const totals: FanoutTotals = {
    messages: sum(used, (r) => r.messages),
    expectedDeliveries: sum(used, (r) => r.expectedDeliveries),
    deliveries,
    shortfall: sum(every, (r) => r.shortfall),
    failedPublishes: sum(every, (r) => r.failedPublishes),
    timedOut: every.some((r) => r.timedOut),
    elapsedMs: round(elapsedMs, 1),
    deliveriesPerSec: round((deliveries / elapsedMs) * 1000),
    latency: summarize(concat(pooled.map((m) => m.latencies))),
    ...(acks ? { ackLatency: summarize(concat(pooled.map((m) => m.acks))) } : {}),
  };
  return { totals, used };
}

/** `800/800 deliveries in 93 ms → 8,573/s, p50 18.665 ms, p99 40.693 ms`, for a round's progress line. */
export function deliveriesLine(r: FanoutTotals): string {
  return (
    `${r.deliveries.toLocaleString('en-US')}/${r.expectedDeliveries.toLocaleString('en-US')} deliveries in ${Math.round(r.elapsedMs)} ms` +
    ` → ${r.deliveriesPerSec.toLocaleString('en-US')}/s, p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms`
  );
}
