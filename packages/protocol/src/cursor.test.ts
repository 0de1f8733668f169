import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURSOR_PATTERN, cursorToPosition, positionToCursor, type Position } from './cursor.ts';

const arbPosition: fc.Arbitrary<Position> = fc.record({
  created: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  device: fc.integer({ min: 0, max: 0xffffff }),
  seq: fc.integer({ min: 0, max: 0xffffffff }),
});

const order = (a: Position, b: Position) => a.created - b.created || a.device - b.device || a.seq - b.seq;

describe('cursor', () => {
  it('round trips and is 26 lowercase hex digits', () => {
    fc.assert(
      fc.property(arbPosition, (p) => {
        const c = positionToCursor(p);
        expect(c).toMatch(CURSOR_PATTERN);
        expect(cursorToPosition(c)).toEqual(p);
      }),
    );
    expect(positionToCursor({ created: 0x0199c82cc000, device: 4, seq: 5 })).toBe('0199c82cc000' + '000004' + '00000005');
  });

  it('compares as a string in display order', () => {
    fc.assert(
      fc.property(arbPosition, arbPosition, (a, b) => {
        const ca = positionToCursor(a);
        const cb = positionToCursor(b);
        expect(Math.sign(ca < cb ? -1 : ca > cb ? 1 : 0)).toBe(Math.sign(order(a, b)));
      }),
    );
  });

  it('refuses malformed cursors', () => {
    for (const bad of ['', '0'.repeat(25), '0'.repeat(27), 'A'.repeat(26), 'g'.repeat(26), ' ' + '0'.repeat(25)]) {
      expect(cursorToPosition(bad)).toBeUndefined();
    }
  });
});
