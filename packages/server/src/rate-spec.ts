import type { Rate, RateLimitConfig } from '@michat/core';

const UNIT_SECONDS: Record<string, number> = { s: 1, min: 60, h: 3600 };

/**
 * A rate as operators write it: `COUNT/UNIT[:BURST]` with UNIT s, min or h (`10/min`,
 * `50/s:500`), or `off`. The burst defaults to COUNT: one unit's worth at once.
 */
export function parseRate(spec: string): Rate {
  if (spec.trim() === 'off') return false;
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|min|h)\s*(?::\s*(\d+))?\s*$/.exec(spec);
  if (!m) throw new Error(`not a rate: "${spec}" (write e.g. 10/min, 50/s:500 or off)`);
  const count = Number(m[1]);
  const burst = m[3] === undefined ? count : Number(m[3]);
  if (count <= 0 || burst < 1) throw new Error(`not a rate: "${spec}" (count and burst must be positive)`);
  return { perSec: count / UNIT_SECONDS[m[2]!]!, burst };
}

/** Environment variable → rate limit setting (see docs/operations.md). */
export const RATE_LIMIT_ENV: Record<string, Exclude<keyof RateLimitConfig, 'failureCost'>> = {
  MICHAT_LIMIT_LOGIN_USER: 'loginPerUsername',
  MICHAT_LIMIT_AUTH_IP: 'authPerIp',
  MICHAT_LIMIT_API_USER: 'apiPerUser',
  MICHAT_LIMIT_API_IP: 'apiPerIp',
  MICHAT_LIMIT_PUBLISH_USER: 'publishPerUser',
  MICHAT_LIMIT_CLAIM_USER: 'keyPackageClaimsPerUser',
};

/** The rate limits set in the environment (MICHAT_LIMIT_*), or undefined when none is. */
export function rateLimitsFromEnv(env: Record<string, string | undefined>): Partial<RateLimitConfig> | undefined {
  const out: Partial<RateLimitConfig> = {};
  for (const [name, key] of Object.entries(RATE_LIMIT_ENV)) {
    const spec = env[name];
    if (spec) out[key] = parseRate(spec);
  }
  if (env.MICHAT_LIMIT_FAILURE_COST) {
    const cost = Number(env.MICHAT_LIMIT_FAILURE_COST);
    if (!Number.isInteger(cost) || cost < 1) throw new Error(`MICHAT_LIMIT_FAILURE_COST must be a whole number ≥ 1, not "${env.MICHAT_LIMIT_FAILURE_COST}"`);
    out.failureCost = cost;
  }
  return Object.keys(out).length ? out : undefined;
}
