import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, HTTP_STATUS, MichatError, RETRYABLE_KINDS } from './errors.ts';

describe('errors', () => {
  it('every kind has an HTTP status, and only known kinds do', () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_KINDS].sort());
    for (const k of ERROR_KINDS) expect(HTTP_STATUS[k]).toBeGreaterThanOrEqual(400);
    for (const k of RETRYABLE_KINDS) expect(ERROR_KINDS).toContain(k);
  });

  it('MichatError carries kind, retryability and retryAfterMs', () => {
    const e = new MichatError('RateLimited', 'slow down', 250);
    expect(e).toBeInstanceOf(Error);
    expect(e.kind).toBe('RateLimited');
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBe(250);
    expect(e.message).toBe('slow down');
    const f = new MichatError('Conflict', 'taken');
    expect(f.retryable).toBe(false);
    expect(f.retryAfterMs).toBeUndefined();
  });
});
