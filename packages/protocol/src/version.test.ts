import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, negotiateVersion } from './version.ts';

describe('negotiateVersion', () => {
  it('picks the highest version both sides speak', () => {
    expect(negotiateVersion([PROTOCOL_VERSION])).toBe(PROTOCOL_VERSION);
    expect(negotiateVersion([MIN_PROTOCOL_VERSION])).toBe(MIN_PROTOCOL_VERSION);
    expect(negotiateVersion([PROTOCOL_VERSION + 5, PROTOCOL_VERSION, PROTOCOL_VERSION + 1])).toBe(PROTOCOL_VERSION);
    expect(negotiateVersion([MIN_PROTOCOL_VERSION, PROTOCOL_VERSION])).toBe(PROTOCOL_VERSION);
  });

  it('is undefined when there is none in common', () => {
    expect(negotiateVersion([])).toBeUndefined();
    expect(negotiateVersion([PROTOCOL_VERSION + 1, PROTOCOL_VERSION + 2])).toBeUndefined();
    expect(negotiateVersion([MIN_PROTOCOL_VERSION - 1, 0, -1])).toBeUndefined();
  });

  it('agrees with a model: max of the offered versions within [MIN, CURRENT]', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: PROTOCOL_VERSION + 3 }), { maxLength: 16 }), (offered) => {
        const common = offered.filter((v) => v >= MIN_PROTOCOL_VERSION && v <= PROTOCOL_VERSION);
        expect(negotiateVersion(offered)).toBe(common.length ? Math.max(...common) : undefined);
      }),
    );
  });

  it('speaks a sane range', () => {
    expect(Number.isInteger(PROTOCOL_VERSION)).toBe(true);
    expect(MIN_PROTOCOL_VERSION).toBeGreaterThanOrEqual(1);
    expect(MIN_PROTOCOL_VERSION).toBeLessThanOrEqual(PROTOCOL_VERSION);
  });
});
