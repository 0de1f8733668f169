/**
 * One measurement round of a benchmark: the load starts, and the round ends when the load
 * says it is done, or earlier, timed out, when it has made no progress for a while (a stall)
 * or has run too long in all (the cap).
 */
import { performance } from 'node:perf_hooks';

/** How often the watchdog looks for a stall or the cap. */
const WATCHDOG_MS = 250;

export interface RoundOptions {
  /** No progress for this long ends the round, timed out. */
  stallMs: number;
  /** The round ends, timed out, once it has run this long. */
  capMs: number;
  /** When the round started (performance.now()). */
  startedAt: number;
  /** When the round last made progress (performance.now()); read by the watchdog. */
  lastProgress: () => number;
  /** Starts the load; it calls `done` once all of it is through (at once when there is none). */
  start: (done: () => void) => void;
  /** Runs when the round ends, however it ends: stop pacers, forget `done`. */
  onFinish?: () => void;
}

/** Runs one round; resolves when it has ended, saying whether it timed out. */
export function runRound(o: RoundOptions): Promise<{ timedOut: boolean }> {
  return new Promise((resolve) => {
    let ended = false;
    const finish = (timedOut: boolean) => {
      if (ended) return;
      ended = true;
      clearInterval(watchdog);
      o.onFinish?.();
      resolve({ timedOut });
    };
    const watchdog = setInterval(() => {
      const now = performance.now();
      if (now - o.lastProgress() > o.stallMs || now - o.startedAt > o.capMs) finish(true);
    }, WATCHDOG_MS);
    o.start(() => finish(false));
  });
}

/**
 * Runs rounds 1 … `rounds` of every side, the sides in turn, their order reversed every
 * other round, so that a slow spell of the machine does not land on one side only.
 */
export async function alternateRounds<S, M>(sides: S[], rounds: number, run: (side: S, round: number) => Promise<M>): Promise<Map<S, M[]>> {
  const out = new Map<S, M[]>(sides.map((s) => [s, []]));
  for (let r = 1; r <= rounds; r++) {
    for (const side of r % 2 === 1 ? sides : [...sides].reverse()) out.get(side)!.push(await run(side, r));
  }
  return out;
}
