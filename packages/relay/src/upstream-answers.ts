import { MichatError, type ServerFrame } from '@michat/protocol';
import type { Clock } from '@michat/core';

/** How long a publish decided upstream waits for the parent's answer before its publisher hears Unavailable. */
export const DECIDE_WAIT_MS = 10_000;
/** When a publisher told Unavailable here should try again. */
const RETRY_AFTER_MS = 2_000;

type Answer = Extract<ServerFrame, { t: 'ack' } | { t: 'err' }>;

interface Waiter {
  resolve(answer: { dup: boolean }): void;
  reject(error: MichatError): void;
  cancelTimer(): void;
}

/** The retryable answer of a relay that cannot ask the origin now (nothing was stored). */
export function originUnreachable(why: string): MichatError {
  return new MichatError('Unavailable', `${why}: this object is accepted only by the origin; retry with the same name`, RETRY_AFTER_MS);
}

/**
 * Publishes whose answer is the parent's own (objects only the origin may accept): each
 * waits for the `ack` or `err` carrying its request id, and is answered Unavailable when the
 * link goes down or the parent stays silent for `waitMs`. A late answer is ignored: the
 * publisher's retry with the same name hears `dup` or `Conflict`.
 */
export class UpstreamAnswers {
  private readonly clock: Clock;
  private readonly waitMs: number;
  private readonly waiters = new Map<number, Waiter>();

  constructor(clock: Clock, waitMs = DECIDE_WAIT_MS) {
    this.clock = clock;
    this.waitMs = waitMs;
  }

  /** Sends request `id` with `send` (false: no open socket) and resolves with the parent's answer. */
  wait(id: number, send: () => boolean): Promise<{ dup: boolean }> {
    return new Promise((resolve, reject) => {
      const cancelTimer = this.clock.setTimer(this.waitMs, () => {
        if (this.waiters.delete(id)) reject(originUnreachable(`the parent did not answer within ${this.waitMs} ms`));
      });
      this.waiters.set(id, { resolve, reject, cancelTimer });
      if (!send()) this.settle(id, (w) => w.reject(originUnreachable('the link to the parent is down')));
    });
  }

  /** Settles the publish the frame answers; false when no publish here waits for it. */
  answer(frame: Answer): boolean {
    return this.settle(frame.id, (w) => {
      if (frame.t === 'ack') return w.resolve({ dup: frame.dup });
      // Unauthorized is about the relay's own session upstream (renewed by the caller), not the publisher's.
      if (frame.kind === 'Unauthorized') return w.reject(originUnreachable('the relay is signing in upstream again'));
      w.reject(new MichatError(frame.kind, frame.msg, frame.retryAfterMs));
    });
  }

  /** The link went down: every waiting publish hears Unavailable (the parent may hold it or not; a retry tells). */
  abandon(): void {
    for (const id of [...this.waiters.keys()]) this.settle(id, (w) => w.reject(originUnreachable('the link to the parent went down')));
  }

  get size(): number {
    return this.waiters.size;
  }

  private settle(id: number | undefined, how: (w: Waiter) => void): boolean {
    const w = id === undefined ? undefined : this.waiters.get(id);
    if (!w) return false;
    this.waiters.delete(id!);
    w.cancelTimer();
    how(w);
    return true;
  }
}
