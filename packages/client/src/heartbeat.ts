import { backgroundTimeout, type TimerHandle } from './timers.ts';

export interface HeartbeatBounds {
  minMs: number;
  maxMs: number;
}

/**
 * Beats at a uniformly random delay within the bounds, so the clients of a server do not
 * beat in step. What a beat sends is the caller's business.
 */
export class Heartbeat {
  private readonly beat: () => void;
  private timer: TimerHandle | undefined;
  private bounds: HeartbeatBounds = { minMs: 0, maxMs: 0 };

  constructor(beat: () => void) {
    this.beat = beat;
  }

  start(bounds: HeartbeatBounds): void {
    this.stop();
    this.bounds = { minMs: Math.max(1, bounds.minMs), maxMs: Math.max(bounds.minMs, bounds.maxMs) };
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const { minMs, maxMs } = this.bounds;
    this.timer = backgroundTimeout(() => {
      this.beat();
      if (this.timer !== undefined) this.schedule();
    }, minMs + Math.random() * (maxMs - minMs));
  }
}
