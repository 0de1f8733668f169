/** A token bucket: `ratePerSec` sustained, up to `burst` at once. */
export class TokenBucket {
  readonly ratePerSec: number;
  readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(ratePerSec: number, burst: number, now: number) {
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /** Takes `cost` tokens; returns 0 when granted, else the ms until they are available. */
  take(now: number, cost = 1): number {
    this.refill(now);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - this.tokens) / this.ratePerSec) * 1000);
  }

  /**
   * Takes `cost` tokens whether or not they are there: the bucket may go into debt, down to
   * minus `burst`, which later takes must first pay off (failed sign-ins cost more this way).
   */
  charge(now: number, cost: number): void {
    this.refill(now);
    this.tokens = Math.max(-this.burst, this.tokens - cost);
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
    this.last = now;
  }
}
