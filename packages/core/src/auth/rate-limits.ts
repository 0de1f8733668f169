import { MichatError } from '@michat/protocol';
import type { Clock } from '../ports/clock.ts';
import { KeyedLimiter } from '../util/keyed-limiter.ts';

/** A token bucket: `perSec` sustained, `burst` at once. `false` turns a limit off. */
export type Rate = { perSec: number; burst: number } | false;

export interface RateLimitConfig {
  /** Login attempts per username (any IP): slows password guessing on one account. */
  loginPerUsername: Rate;
  /** Login, registration and refresh attempts per client IP. */
  authPerIp: Rate;
  /** What a failed attempt costs (a success costs 1), so guessing runs dry first. */
  failureCost: number;
  /** HTTP API calls per signed-in user. */
  apiPerUser: Rate;
  /** HTTP API calls per client IP. */
  apiPerIp: Rate;
  /** Publishes per user, across all their connections (each connection also has its own frame limit). */
  publishPerUser: Rate;
  /** Devices whose KeyPackage a user claims (each device listed in a claim costs 1): keeps one user from draining everyone's stock. */
  keyPackageClaimsPerUser: Rate;
}

const perMinute = (n: number): Rate => ({ perSec: n / 60, burst: n });

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  loginPerUsername: perMinute(10),
  authPerIp: perMinute(30),
  failureCost: 3,
  apiPerUser: { perSec: 50, burst: 500 },
  apiPerIp: { perSec: 200, burst: 2_000 },
  publishPerUser: { perSec: 200, burst: 1_000 },
  keyPackageClaimsPerUser: perMinute(2_000),
};

/** Every limit off (benchmarks, trusted load tests). */
export const NO_RATE_LIMITS: RateLimitConfig = {
  loginPerUsername: false,
  authPerIp: false,
  failureCost: 1,
  apiPerUser: false,
  apiPerIp: false,
  publishPerUser: false,
  keyPackageClaimsPerUser: false,
};

function limiter(rate: Rate): KeyedLimiter | undefined {
  return rate === false ? undefined : new KeyedLimiter(rate.perSec, rate.burst);
}

/**
 * The node's request limits, kept in memory per node (a client spread over several nodes
 * gets each node's budget). Exceeding one throws RateLimited with `retryAfterMs`, which the
 * HTTP layer answers with 429 and `Retry-After`, the data plane with an `err` frame.
 */
export class RateLimits {
  readonly config: RateLimitConfig;
  private readonly clock: Clock;
  private readonly loginUsername: KeyedLimiter | undefined;
  private readonly authIp: KeyedLimiter | undefined;
  private readonly apiUser: KeyedLimiter | undefined;
  private readonly apiIp: KeyedLimiter | undefined;
  private readonly publishUser: KeyedLimiter | undefined;
  private readonly claimUser: KeyedLimiter | undefined;

  constructor(config: Partial<RateLimitConfig>, clock: Clock) {
    this.config = { ...DEFAULT_RATE_LIMITS, ...config };
    this.clock = clock;
    this.loginUsername = limiter(this.config.loginPerUsername);
    this.authIp = limiter(this.config.authPerIp);
    this.apiUser = limiter(this.config.apiPerUser);
    this.apiIp = limiter(this.config.apiPerIp);
    this.publishUser = limiter(this.config.publishPerUser);
    this.claimUser = limiter(this.config.keyPackageClaimsPerUser);
  }

  /** Before a login, registration or refresh: throws RateLimited when this IP (or username) is out of attempts. */
  authAttempt(ip: string, username?: string): void {
    const now = this.clock.now();
    const byName = username === undefined ? 0 : (this.loginUsername?.take(username.toLowerCase(), now) ?? 0);
    const byIp = this.authIp?.take(ip, now) ?? 0;
    const wait = Math.max(byName, byIp);
    if (wait > 0) throw new MichatError('RateLimited', byName > 0 ? 'too many sign-in attempts for this account; wait' : 'too many sign-in attempts from this address; wait', wait);
  }

  /** The attempt failed: it costs `failureCost` in all (1 was taken before it). */
  authFailed(ip: string, username?: string): void {
    const extra = this.config.failureCost - 1;
    if (extra <= 0) return;
    const now = this.clock.now();
    if (username !== undefined) this.loginUsername?.charge(username.toLowerCase(), now, extra);
    this.authIp?.charge(ip, now, extra);
  }

  /** One HTTP API call from `ip`. */
  apiCallFromIp(ip: string): void {
    const wait = this.apiIp?.take(ip, this.clock.now()) ?? 0;
    if (wait > 0) throw new MichatError('RateLimited', 'too many requests from this address', wait);
  }

  /** One HTTP API call by a signed-in user. */
  apiCallByUser(userId: number): void {
    const wait = this.apiUser?.take(String(userId), this.clock.now()) ?? 0;
    if (wait > 0) throw new MichatError('RateLimited', 'too many requests; slow down', wait);
  }

  /** One publish by `userId`, on any of their connections. */
  publish(userId: number): void {
    const wait = this.publishUser?.take(String(userId), this.clock.now()) ?? 0;
    if (wait > 0) throw new MichatError('RateLimited', 'too many messages; slow down', wait);
  }

  /** A KeyPackage claim by `userId` for `devices` devices (all or none of them count). */
  claimKeyPackages(userId: number, devices: number): void {
    const wait = this.claimUser?.take(String(userId), this.clock.now(), devices) ?? 0;
    if (wait > 0) throw new MichatError('RateLimited', 'too many KeyPackage claims; slow down', wait);
  }
}
