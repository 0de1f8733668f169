export type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * Lets Node exit while only this timer is pending. Used for timers that merely keep
 * something fresh (heartbeats, token refresh): an open socket or a pending request is
 * what should keep a process alive, not bookkeeping. Browsers have no such notion.
 */
export function unrefTimer(t: TimerHandle): TimerHandle {
  (t as { unref?: () => void }).unref?.();
  return t;
}

/** setTimeout that does not hold a Node process open on its own. */
export function backgroundTimeout(fn: () => void, ms: number): TimerHandle {
  return unrefTimer(setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS)));
}

/** Longest delay setTimeout honours (larger ones fire at once). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
