import { TokenBucket } from './token-bucket.ts';

/**
 * Token buckets by key (a user, an IP, "login:alice"), bounded in memory: the least
 * recently used keys are forgotten first, which only ever lets a forgotten key start with
 * a full bucket again.
 */
export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly ratePerSec: number;
  private readonly burst: number;
  private readonly maxKeys: number;

  constructor(ratePerSec: number, burst: number, maxKeys = 50_000) {
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.maxKeys = maxKeys;
  }

  /** Takes `cost` tokens from `key`'s bucket: 0 when granted, else ms to wait. */
  take(key: string, now: number, cost = 1): number {
    return this.bucket(key, now).take(now, cost);
  }

  /** Charges `cost` tokens to `key` even when it lacks them (debt; see TokenBucket.charge). */
  charge(key: string, now: number, cost: number): void {
    this.bucket(key, now).charge(now, cost);
  }

  private bucket(key: string, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else bucket = new TokenBucket(this.ratePerSec, this.burst, now);
    this.buckets.set(key, bucket); // most recently used last
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket;
  }
}
