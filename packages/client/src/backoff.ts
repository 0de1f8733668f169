export interface BackoffOptions {
  /** First delay, before jitter (default 250 ms). */
  initialMs?: number;
  /** Cap on the delay (default 10 s). */
  maxMs?: number;
}

const DEFAULT_INITIAL_MS = 250;
const DEFAULT_MAX_MS = 10_000;

/**
 * Capped exponential backoff with jitter. The delay for attempt n is drawn uniformly from
 * [c/2, c] where c = min(max, initial·2ⁿ): half of it grows predictably, and the random
 * half spreads the clients of a restarted server so they do not all return at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? DEFAULT_INITIAL_MS;
  const max = options.maxMs ?? DEFAULT_MAX_MS;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A backoff sequence: each `next()` waits longer, until `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  private readonly options: BackoffOptions;

  constructor(options: BackoffOptions = {}) {
    this.options = options;
  }

  next(): number {
    return backoffDelay(this.attempt++, this.options);
  }

  reset(): void {
    this.attempt = 0;
  }
}
