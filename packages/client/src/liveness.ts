import { backgroundTimeout, type TimerHandle } from './timers.ts';

export interface LivenessDeps {
  localNow(): number;
  /** Sends a ping; false when there is no socket to send it on. */
  ping(): boolean;
  /** Nothing answered the ping in time: the socket is half-open. */
  dead(): void;
}

/**
 * Tells a quiet socket from a dead one. Heartbeats are answered only where something
 * differs, so a healthy connection can stay silent for long, and a half-open one (peer gone
 * without a FIN: sleep, NAT timeout, lost route) looks just the same. After `idleMs` without
 * any inbound frame this pings; if no frame at all arrives within `timeoutMs`, it is dead.
 */
export class Liveness {
  private readonly deps: LivenessDeps;
  private idleMs = 0;
  private timeoutMs = 0;
  private lastHeard = 0;
  /** Frames heard so far; compared with the count when the ping left (clock ties do not matter). */
  private heardCount = 0;
  private outstanding: { at: number; heardCount: number } | undefined;
  private timer: TimerHandle | undefined;

  constructor(deps: LivenessDeps) {
    this.deps = deps;
  }

  start(idleMs: number, timeoutMs: number): void {
    this.stop();
    this.idleMs = Math.max(1, idleMs);
    this.timeoutMs = Math.max(1, timeoutMs);
    this.lastHeard = this.deps.localNow();
    this.schedule(this.idleMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.outstanding = undefined;
  }

  /** Any inbound frame: the socket is alive. Cheap, it runs for every frame. */
  heard(): void {
    this.lastHeard = this.deps.localNow();
    this.heardCount++;
  }

  private schedule(ms: number): void {
    this.timer = backgroundTimeout(() => this.check(), ms);
  }

  private check(): void {
    const now = this.deps.localNow();
    if (this.outstanding) {
      if (this.heardCount > this.outstanding.heardCount) {
        this.outstanding = undefined; // answered (by the pong, or by anything else)
      } else if (now - this.outstanding.at >= this.timeoutMs) {
        this.stop();
        return this.deps.dead();
      } else {
        return this.schedule(this.outstanding.at + this.timeoutMs - now);
      }
    }
    const quiet = now - this.lastHeard;
    if (quiet < this.idleMs) return this.schedule(this.idleMs - quiet);
    if (!this.deps.ping()) return this.schedule(this.idleMs);
    this.outstanding = { at: now, heardCount: this.heardCount };
    this.schedule(this.timeoutMs);
  }
}
