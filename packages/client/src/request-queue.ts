import { MichatError, type ClientFrame, type ServerFrame, type ServerFrameOf } from '@michat/protocol';
import { backoffDelay } from './backoff.ts';
import type { TimerHandle } from './timers.ts';

/** What to do with an answer. `retry` resends after `afterMs` (0: at once, or on reconnect). */
export type Outcome<T> = { kind: 'done'; value: T } | { kind: 'fail'; error: Error } | { kind: 'retry'; afterMs: number };

/** A request that is answered by exactly one frame carrying its id. */
export interface Job<T> {
  /** The frame to send with request id `id` (built anew for every send). */
  frame(id: number): ClientFrame;
  answer(frame: ServerFrame, attempt: number): Outcome<T>;
}

interface Entry {
  job: Job<unknown>;
  resolve(value: unknown): void;
  reject(error: Error): void;
  attempt: number;
  reauths: number;
  /** Request id of the send whose answer is awaited (undefined: waiting for a socket). */
  id: number | undefined;
  retryTimer: TimerHandle | undefined;
  /** Re-authenticating before a resend. */
  busy: boolean;
}

export interface RequestQueueDeps {
  send(frame: ClientFrame): boolean;
  nextId(): number;
  /** Renews the access token (and tells the server) after an Unauthorized answer. */
  reauthenticate(): Promise<void>;
}

/** Times one request may be re-sent after renewing the session. */
const MAX_REAUTHS = 2;

/**
 * Requests that survive reconnects: each waits for a socket, is sent, and is sent again on
 * the next socket if this one drops before its answer. So only idempotent requests belong
 * here (publishing the same bytes again is: the server answers `dup`).
 */
export class RequestQueue {
  private readonly deps: RequestQueueDeps;
  private readonly waiting = new Set<Entry>();
  private readonly byId = new Map<number, Entry>();
  /** Set by failAll: later requests are refused with it at once. */
  private closedWith: Error | undefined;

  constructor(deps: RequestQueueDeps) {
    this.deps = deps;
  }

  run<T>(job: Job<T>): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { job, resolve: resolve as (v: unknown) => void, reject, attempt: 0, reauths: 0, id: undefined, retryTimer: undefined, busy: false };
      this.waiting.add(entry);
      this.send(entry);
    });
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Routes an answer; false when no request of this queue has that id. */
  dispatch(frame: ServerFrame): boolean {
    if (!('id' in frame) || frame.id === undefined || frame.t === 'objs' || frame.t === 'subok') return false;
    const entry = this.byId.get(frame.id);
    if (!entry) return false;
    this.byId.delete(frame.id);
    entry.id = undefined;
    if (frame.t === 'err' && frame.kind === 'Unauthorized' && entry.reauths < MAX_REAUTHS) {
      entry.reauths++;
      void this.reauthenticateAndResend(entry);
      return true;
    }
    let outcome: Outcome<unknown>;
    try {
      outcome = entry.job.answer(frame, entry.attempt);
    } catch (e) {
      outcome = { kind: 'fail', error: e as Error };
    }
    this.settle(entry, outcome);
    return true;
  }

  /** The socket dropped: answers to what was sent on it will never come. */
  down(): void {
    for (const entry of this.byId.values()) entry.id = undefined;
    this.byId.clear();
  }

  /** A socket opened: sends every request waiting for one (not those sitting out a delay). */
  resendAll(): void {
    for (const entry of this.waiting) if (entry.id === undefined && entry.retryTimer === undefined && !entry.busy) this.send(entry);
  }

  /** Rejects everything, now and later (the client closes). */
  failAll(error: Error): void {
    this.closedWith = error;
    for (const entry of this.waiting) {
      if (entry.retryTimer !== undefined) clearTimeout(entry.retryTimer);
      entry.reject(error);
    }
    this.waiting.clear();
    this.byId.clear();
  }

  private send(entry: Entry): void {
    if (!this.waiting.has(entry)) return;
    const id = this.deps.nextId();
    if (!this.deps.send(entry.job.frame(id))) return; // resendAll picks it up on the next socket
    entry.id = id;
    this.byId.set(id, entry);
  }

  private settle(entry: Entry, outcome: Outcome<unknown>): void {
    if (!this.waiting.has(entry)) return;
    if (outcome.kind === 'done' || outcome.kind === 'fail') {
      this.waiting.delete(entry);
      if (outcome.kind === 'done') entry.resolve(outcome.value);
      else entry.reject(outcome.error);
      return;
    }
    entry.attempt++;
    if (outcome.afterMs <= 0) return this.send(entry);
    // Referenced on purpose: someone awaits this request, so Node should wait for it too.
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      this.send(entry);
    }, outcome.afterMs);
  }

  private async reauthenticateAndResend(entry: Entry): Promise<void> {
    entry.busy = true;
    try {
      await this.deps.reauthenticate();
    } catch (e) {
      entry.busy = false;
      return this.settle(entry, { kind: 'fail', error: e as Error });
    }
    entry.busy = false;
    this.send(entry);
  }
}

/** The usual answer to an error: retry retryable kinds after the server's delay (or a backoff), fail otherwise. */
export function errorOutcome(frame: ServerFrameOf<'err'>, attempt: number): Outcome<never> {
  const error = new MichatError(frame.kind, frame.msg, frame.retryAfterMs);
  return error.retryable ? { kind: 'retry', afterMs: frame.retryAfterMs ?? backoffDelay(attempt) } : { kind: 'fail', error };
}

/** An answer of a type the request never gets. */
export function unexpected(frame: ServerFrame): Outcome<never> {
  return { kind: 'fail', error: new MichatError('BadFrame', `unexpected ${frame.t} answer`) };
}
