import { backgroundTimeout, type TimerHandle } from '../timers.ts';

export interface ReadMarkerDeps {
  /** The furthest read object this user has had stored in the channel. */
  published(): string | undefined;
  /** Queues a `read` object (through the outbox). */
  publish(upTo: string): Promise<unknown>;
  onError(error: Error): void;
}

/**
 * Publishes the read mark as a `read` object, at most once per `delayMs` and only when it
 * moved past what this user published already (from any device). The mark itself is kept
 * locally at once; publishing is what syncs it to the user's other devices.
 */
export class ReadMarker {
  private readonly deps: ReadMarkerDeps;
  private readonly delayMs: number;
  private wanted: string | undefined;
  private queued: string | undefined;
  private timer: TimerHandle | undefined;

  constructor(deps: ReadMarkerDeps, delayMs: number) {
    this.deps = deps;
    this.delayMs = delayMs;
  }

  mark(upTo: string): void {
    if (this.wanted !== undefined && upTo <= this.wanted) return;
    this.wanted = upTo;
    this.timer ??= backgroundTimeout(() => this.publishNow(), this.delayMs);
  }

  /** Publishes a pending mark at once (e.g. before closing). */
  flush(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.publishNow();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private publishNow(): void {
    this.timer = undefined;
    const upTo = this.wanted;
    if (upTo === undefined) return;
    const published = this.deps.published();
    if ((published !== undefined && upTo <= published) || (this.queued !== undefined && upTo <= this.queued)) return;
    this.queued = upTo;
    this.deps.publish(upTo).catch((e: unknown) => this.deps.onError(e as Error));
  }
}
