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
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
    this.last = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - this.tokens) / this.ratePerSec) * 1000);
  }
}
