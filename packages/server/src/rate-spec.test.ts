import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.ts';
import { parseRate } from './rate-spec.ts';

describe('rate limits from the environment', () => {
  it('reads COUNT/UNIT[:BURST] and off', () => {
    expect(parseRate('10/min')).toEqual({ perSec: 10 / 60, burst: 10 });
    expect(parseRate('50/s:500')).toEqual({ perSec: 50, burst: 500 });
    expect(parseRate('3600/h')).toEqual({ perSec: 1, burst: 3600 });
    expect(parseRate('off')).toBe(false);
    for (const bad of ['10', '10/day', '0/s', '-1/s', 'ten/min', '5/s:0']) expect(() => parseRate(bad)).toThrow(/not a rate/);
  });

  it('maps MICHAT_LIMIT_* and MICHAT_TRUST_PROXY onto the server config', () => {
    const config = configFromEnv({ MICHAT_LIMIT_LOGIN_USER: '5/min', MICHAT_LIMIT_PUBLISH_USER: 'off', MICHAT_LIMIT_FAILURE_COST: '4', MICHAT_TRUST_PROXY: 'true' });
    expect(config.rateLimits).toEqual({ loginPerUsername: { perSec: 5 / 60, burst: 5 }, publishPerUser: false, failureCost: 4 });
    expect(config.trustProxy).toBe(true);
    expect(configFromEnv({}).rateLimits).toBeUndefined();
  });
});
