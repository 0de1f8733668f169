import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GROUP_LOG_DEVICE, VersionVector, missingFrom } from '@michat/protocol';
import { planExchange } from './vector-exchange.ts';

const vector = (entries: Array<[number, number, number]>) => {
  const v = new VersionVector();
  for (const [device, from, to] of entries) v.addRange(device, from, to);
  return v;
};

describe('planExchange: each side sends the other exactly what it lacks, a chunk at a time', () => {
  it('a relay that wrote 1,000 offline and missed 1,000 pushes its 1,000 and fetches the other 1,000', () => {
    const shared: Array<[number, number, number]> = [[7, 1, 50]];
    const ours = vector([...shared, [9, 1, 1_000]]);
    const theirs = vector([...shared, [8, 1, 1_000]]);
    const plan = planExchange(ours, theirs);
    expect(plan.pushing).toBe(1_000);
    expect(plan.push).toEqual([{ device: 9, from: 1, through: 1_000 }]);
    expect(plan.fetching).toBe(1_000);
    // The sync's since lacks exactly device 8's 1,000 against the parent's vector.
    expect(missingFrom(theirs, plan.syncSince!).ranges).toEqual([{ device: 8, from: 1, through: 1_000 }]);
  });

  it('a group-log object the parent lacks is never pushed (the origin alone accepts them), but one the relay lacks is fetched', () => {
    const ours = vector([[9, 1, 3], [GROUP_LOG_DEVICE, 1, 2]]);
    const theirs = vector([[GROUP_LOG_DEVICE, 1, 1], [GROUP_LOG_DEVICE, 3, 3]]);
    const plan = planExchange(ours, theirs);
    expect(plan.push).toEqual([{ device: 9, from: 1, through: 3 }]);
    expect(plan.pushing).toBe(3);
    expect(plan.fetch).toEqual([{ device: GROUP_LOG_DEVICE, from: 3, through: 3 }]);
  });

  it('equal vectors: nothing to do', () => {
    const v = vector([[1, 1, 10]]);
    const plan = planExchange(v, v.clone());
    expect(plan).toEqual({ syncSince: undefined, fetching: 0, fetch: [], push: [], pushing: 0 });
  });

  it('property: chunks never exceed the bound, and repeating rounds converges to the union', () => {
    const ranges = fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 40 })), { maxLength: 8 });
    fc.assert(
      fc.property(ranges, ranges, fc.integer({ min: 1, max: 50 }), (a, b, chunk) => {
        const ours = vector(a.map(([d, f, n]) => [d, f, f + n]));
        const theirs = vector(b.map(([d, f, n]) => [d, f, f + n]));
        const union = ours.clone();
        union.addAll(theirs);
        for (let round = 0; round < 1_000; round++) {
          const plan = planExchange(ours, theirs, chunk);
          expect(plan.fetching).toBeLessThanOrEqual(chunk);
          expect(plan.pushing).toBeLessThanOrEqual(chunk);
          if (!plan.fetching && !plan.pushing) break;
          // What the sync brings: what the parent holds and the since lacks.
          if (plan.syncSince) for (const r of missingFrom(theirs, plan.syncSince).ranges) ours.addRange(r.device, r.from, r.through);
          for (const r of plan.push) theirs.addRange(r.device, r.from, r.through);
        }
        expect(ours.digest()).toBe(union.digest());
        expect(theirs.digest()).toBe(union.digest());
      }),
    );
  });
});
