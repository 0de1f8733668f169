/** Time and timers, injected so tests can drive them. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    // Timers must never keep a process alive on their own (Node); harmless elsewhere.
    (t as { unref?: () => void }).unref?.();
    return () => clearTimeout(t);
  },
};
