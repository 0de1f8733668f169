import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VersionVector, fnv1a64, missingFrom, vectorMap, type VectorEntries } from './vector.ts';

type Pair = [device: number, seq: number];

const arbPair: fc.Arbitrary<Pair> = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 30 }));
/** A multiset of (device, seq) pairs and a permutation of it. */
const arbPairsTwoOrders = fc
  .array(arbPair, { maxLength: 120 })
  .chain((pairs) => fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length })));

function build(pairs: readonly Pair[]): VersionVector {
  const v = new VersionVector();
  for (const [d, s] of pairs) v.add(d, s);
  return v;
}

/** Brute-force model: device → set of held seqs. */
function model(pairs: readonly Pair[]): Map<number, Set<number>> {
  const m = new Map<number, Set<number>>();
  for (const [d, s] of pairs) {
    let set = m.get(d);
    if (!set) m.set(d, (set = new Set()));
    set.add(s);
  }
  return m;
}

function snapshot(v: VersionVector) {
  return {
    devices: v.devices(),
    per: v.devices().map((d) => ({ d, contiguous: v.contiguous(d), max: v.max(d), above: v.above(d) })),
    entries: v.entries(),
    digest: v.digest(),
  };
}

describe('VersionVector', () => {
  it('adding in any order gives the same state and digest as adding in order', () => {
    fc.assert(
      fc.property(arbPairsTwoOrders, ([pairs, shuffled]) => {
        const sorted = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const inOrder = build(sorted);
        const anyOrder = build(shuffled);
        expect(snapshot(anyOrder)).toEqual(snapshot(inOrder));
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with a set model: has, contiguous, max, above, add results', () => {
    fc.assert(
      fc.property(fc.array(arbPair, { maxLength: 120 }), (pairs) => {
        const v = new VersionVector();
        const seen = new Set<string>();
        for (const [d, s] of pairs) {
          const key = `${d}:${s}`;
          expect(v.add(d, s)).toBe(!seen.has(key));
          seen.add(key);
        }
        const m = model(pairs);
        expect(v.size).toBe(m.size);
        for (let d = 0; d <= 6; d++) {
          const set = m.get(d) ?? new Set<number>();
          let c = 0;
          while (set.has(c + 1)) c++;
          expect(v.contiguous(d)).toBe(c);
          expect(v.max(d)).toBe(set.size ? Math.max(...set) : 0);
          expect(v.above(d)).toEqual([...set].filter((s) => s > c).sort((a, b) => a - b));
          for (let s = 1; s <= 31; s++) expect(v.has(d, s)).toBe(set.has(s));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('seq 0 and non-integers are never held and leave no trace in the digest', () => {
    const v = new VersionVector();
    const empty = v.digest();
    expect(v.add(7, 0)).toBe(false);
    expect(v.add(7, -1)).toBe(false);
    expect(v.add(7, Number.NaN)).toBe(false);
    expect(v.size).toBe(0);
    expect(v.devices()).toEqual([]);
    expect(v.digest()).toBe(empty);
    expect(VersionVector.from([[7, 0]]).digest()).toBe(empty);
  });

  it('digest changes whenever the held set does (contiguous, max or gap count)', () => {
    const a = build([[1, 1], [1, 2], [1, 3]]);
    const b = build([[1, 1], [1, 2], [1, 4]]);
    const c = build([[1, 1], [1, 2], [1, 3], [1, 5]]);
    const d = build([[1, 1], [1, 2], [1, 3], [2, 1]]);
    const digests = [a, b, c, d, new VersionVector()].map((v) => v.digest());
    expect(new Set(digests).size).toBe(digests.length);
    for (const x of digests) expect(x).toMatch(/^[0-9a-f]{16}$/);
    // the cache is invalidated by add
    const e = build([[1, 1]]);
    const before = e.digest();
    e.add(1, 2);
    expect(e.digest()).not.toBe(before);
    expect(e.digest()).toBe(build([[1, 1], [1, 2]]).digest());
  });

  it('entries() round trips through VersionVector.from', () => {
    fc.assert(
      fc.property(fc.array(arbPair, { maxLength: 120 }), (pairs) => {
        const v = build(pairs);
        const entries = v.entries();
        const w = VersionVector.from(entries);
        expect(w.entries()).toEqual(entries);
        for (const [d, s] of entries) expect(w.contiguous(d)).toBe(s);
        // sorted by device, no zeros
        for (let i = 1; i < entries.length; i++) expect(entries[i]![0]).toBeGreaterThan(entries[i - 1]![0]);
        for (const [, s] of entries) expect(s).toBeGreaterThan(0);
        // without gaps, the wire form says everything, digest included
        if (v.devices().every((d) => v.above(d).length === 0 && v.contiguous(d) > 0)) expect(w.digest()).toBe(v.digest());
        expect(vectorMap(entries)).toEqual(new Map(entries));
      }),
      { numRuns: 500 },
    );
  });

  it('vectorMap keeps the highest seq of a repeated device', () => {
    const e: VectorEntries = [[1, 5], [2, 1], [1, 3]];
    expect(vectorMap(e)).toEqual(new Map([[1, 5], [2, 1]]));
  });
});

describe('missingFrom', () => {
  const arbSince = fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 35 })), { maxLength: 8 }).map((es) => new Map(es));

  it('returns exactly the held seqs above `since`, as a brute-force model says', () => {
    fc.assert(
      fc.property(fc.array(arbPair, { maxLength: 150 }), arbSince, (pairs, since) => {
        const have = build(pairs);
        const m = model(pairs);
        const { ranges, count } = missingFrom(have, since);
        // expected: every held (d, s) with s > since(d)
        const expected = new Set<string>();
        for (const [d, set] of m) for (const s of set) if (s > (since.get(d) ?? 0)) expected.add(`${d}:${s}`);
        // what the ranges select from the holder
        const got = new Set<string>();
        const devices = new Set<number>();
        for (const r of ranges) {
          expect(devices.has(r.device)).toBe(false); // one range per device
          devices.add(r.device);
          expect(r.after).toBe(since.get(r.device) ?? 0);
          expect(r.through).toBeGreaterThan(r.after);
          for (const s of m.get(r.device) ?? []) if (s > r.after && s <= r.through) got.add(`${r.device}:${s}`);
        }
        expect(got).toEqual(expected);
        expect(count).toBe(expected.size);
        // no empty ranges
        for (const r of ranges) expect([...(m.get(r.device) ?? [])].some((s) => s > r.after && s <= r.through)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('nothing is missing from a reader that holds the holder’s own vector', () => {
    fc.assert(
      fc.property(fc.array(arbPair, { maxLength: 100 }), (pairs) => {
        const have = build(pairs);
        const since = new Map(have.devices().map((d) => [d, have.max(d)] as const));
        expect(missingFrom(have, since)).toEqual({ ranges: [], count: 0 });
      }),
    );
  });
});

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64 test values', () => {
    const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
    expect(fnv1a64([])).toBe('cbf29ce484222325');
    expect(fnv1a64(ascii('a'))).toBe('af63dc4c8601ec8c');
    expect(fnv1a64(ascii('foobar'))).toBe('85944171f73967e8');
  });

  it('the empty vector digests to the FNV offset basis', () => {
    expect(new VersionVector().digest()).toBe('cbf29ce484222325');
  });

  it('digest is FNV-1a 64 over (device, contiguous, max, countAbove) as u32 BE, by device', () => {
    const v = build([[2, 1], [2, 2], [2, 5], [2, 9], [1, 1]]);
    const u32 = (x: number) => [(x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff];
    const bytes = [...u32(1), ...u32(1), ...u32(1), ...u32(0), ...u32(2), ...u32(2), ...u32(9), ...u32(2)];
    expect(v.digest()).toBe(fnv1a64(bytes));
  });
});
