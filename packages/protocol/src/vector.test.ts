import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Vector } from './frames/common.ts';
import { MAX_VECTOR_RANGES_PER_ENTRY } from './limits.ts';
import { VersionVector, fnv1a64, missingFrom, type VectorEntries } from './vector.ts';

type Pair = [device: number, seq: number];
type Model = Map<number, Set<number>>;

const arbPair: fc.Arbitrary<Pair> = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 30 }));
/** A multiset of (device, seq) pairs and a permutation of it. */
const arbPairsTwoOrders = fc
  .array(arbPair, { maxLength: 120 })
  .chain((pairs) => fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length })));
/** Ranges of seqs per device, some long, some empty or reversed, seqs around 0..60. */
const arbRanges = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -2, max: 60 }), fc.integer({ min: -2, max: 60 })), { maxLength: 20 });

function build(pairs: readonly Pair[]): VersionVector {
  const v = new VersionVector();
  for (const [d, s] of pairs) v.add(d, s);
  return v;
}

function buildRanges(ranges: ReadonlyArray<readonly [number, number, number]>): VersionVector {
  const v = new VersionVector();
  for (const [d, from, to] of ranges) v.addRange(d, from, to);
  return v;
}

/** Brute-force model: device → set of held seqs. */
function model(pairs: readonly Pair[]): Model {
  const m: Model = new Map();
  for (const [d, s] of pairs) {
    let set = m.get(d);
    if (!set) m.set(d, (set = new Set()));
    set.add(s);
  }
  return m;
}

function modelOfRanges(ranges: ReadonlyArray<readonly [number, number, number]>): Model {
  const pairs: Pair[] = [];
  for (const [d, from, to] of ranges) for (let s = Math.max(1, from); s <= to; s++) pairs.push([d, s]);
  return model(pairs);
}

/** The model's maximal intervals of one device. */
function modelIntervals(set: ReadonlySet<number> | undefined): Array<[number, number]> {
  const seqs = [...(set ?? [])].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const s of seqs) {
    const last = out[out.length - 1];
    if (last && last[1] + 1 === s) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

function snapshot(v: VersionVector) {
  return {
    devices: v.devices(),
    per: v.devices().map((d) => ({ d, contiguous: v.contiguous(d), max: v.max(d), intervals: v.intervals(d) })),
    entries: v.entries(),
    digest: v.digest(),
  };
}

/** Checks every query of `v` against the model, for devices 0..6 and seqs 0..62 (one comparison: fast). */
function agrees(v: VersionVector, m: Model): void {
  const actual: unknown[] = [v.size, v.count(), v.intervalCount()];
  const expected: unknown[] = [[...m.values()].filter((s) => s.size).length, 0, 0];
  for (let d = 0; d <= 6; d++) {
    const set = m.get(d) ?? new Set<number>();
    const iv = modelIntervals(set);
    let c = 0;
    while (set.has(c + 1)) c++;
    const held: boolean[] = [];
    for (let s = 0; s <= 62; s++) held.push(set.has(s));
    expected.push({ d, contiguous: c, max: set.size ? Math.max(...set) : 0, intervals: iv, count: set.size, intervalCount: iv.length, rangeCount: iv.length - (c > 0 ? 1 : 0), held });
    const has: boolean[] = [];
    for (let s = 0; s <= 62; s++) has.push(v.has(d, s));
    actual.push({ d, contiguous: v.contiguous(d), max: v.max(d), intervals: v.intervals(d), count: v.count(d), intervalCount: v.intervalCount(d), rangeCount: v.rangeCount(d), held: has });
    expected[1] = (expected[1] as number) + set.size;
    expected[2] = (expected[2] as number) + iv.length;
  }
  expect(actual).toEqual(expected);
}

/** The model's wire entries, built independently of VersionVector. */
function modelEntries(m: Model): VectorEntries {
  const out: VectorEntries = [];
  for (const d of [...m.keys()].sort((a, b) => a - b)) {
    const iv = modelIntervals(m.get(d));
    if (!iv.length) continue;
    const contiguous = iv[0]![0] === 1 ? iv[0]![1] : 0;
    const ranges = contiguous ? iv.slice(1) : iv;
    out.push(ranges.length ? [d, contiguous, ranges] : [d, contiguous]);
  }
  return out;
}

describe('VersionVector', () => {
  it('adding in any order gives the same state and digest as adding in order', () => {
    fc.assert(
      fc.property(arbPairsTwoOrders, ([pairs, shuffled]) => {
        const sorted = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(snapshot(build(shuffled))).toEqual(snapshot(build(sorted)));
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with a set model: has, contiguous, max, intervals, counts, add results', () => {
    fc.assert(
      fc.property(fc.array(arbPair, { maxLength: 120 }), (pairs) => {
        const v = new VersionVector();
        const seen = new Set<string>();
        for (const [d, s] of pairs) {
          const key = `${d}:${s}`;
          expect(v.add(d, s)).toBe(!seen.has(key));
          seen.add(key);
        }
        agrees(v, model(pairs));
      }),
      { numRuns: 500 },
    );
  });

  it('addRange agrees with adding each seq, and returns how many were new', () => {
    fc.assert(
      fc.property(arbRanges, (ranges) => {
        const v = new VersionVector();
        const m: Model = new Map();
        for (const [d, from, to] of ranges) {
          const set = m.get(d) ?? new Set<number>();
          let fresh = 0;
          for (let s = Math.max(1, from); s <= to; s++) if (!set.has(s)) (set.add(s), fresh++);
          if (set.size) m.set(d, set);
          expect(v.addRange(d, from, to)).toBe(fresh);
        }
        agrees(v, m);
        expect(snapshot(v)).toEqual(snapshot(build([...m].flatMap(([d, set]) => [...set].map((s): Pair => [d, s])))));
      }),
      { numRuns: 1000 },
    );
  });

  it('entries() is the documented wire form, passes the schema, and round trips through from()', () => {
    fc.assert(
      fc.property(arbRanges, (ranges) => {
        const v = buildRanges(ranges);
        const entries = v.entries();
        expect(entries).toEqual(modelEntries(modelOfRanges(ranges)));
        expect(Vector.safeParse(entries).success).toBe(true);
        const w = VersionVector.from(entries);
        expect(snapshot(w)).toEqual(snapshot(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('from() takes the union of sloppy input: overlapping, touching, unsorted ranges, repeated devices', () => {
    const v = VersionVector.from([
      [1, 3, [[10, 12], [5, 6], [4, 4], [11, 20]]],
      [1, 0, [[30, 30]]],
      [2, 0],
      [3, 0, [[7, 9]]],
    ]);
    expect(v.intervals(1)).toEqual([[1, 6], [10, 20], [30, 30]]);
    expect(v.devices()).toEqual([1, 3]); // device 2 holds nothing: not listed
    expect(v.entries()).toEqual([[1, 6, [[10, 20], [30, 30]]], [3, 0, [[7, 9]]]]);
  });

  it('seq 0, negatives and non-integers are never held and leave no trace in the digest', () => {
    const v = new VersionVector();
    const empty = v.digest();
    expect(v.add(7, 0)).toBe(false);
    expect(v.add(7, -1)).toBe(false);
    expect(v.add(7, Number.NaN)).toBe(false);
    expect(v.add(7, 1.5)).toBe(false);
    expect(v.addRange(7, 5, 4)).toBe(0);
    expect(v.size).toBe(0);
    expect(v.devices()).toEqual([]);
    expect(v.digest()).toBe(empty);
    expect(VersionVector.from([[7, 0]]).digest()).toBe(empty);
    expect(v.addRange(7, -5, 2)).toBe(2);
    expect(v.intervals(7)).toEqual([[1, 2]]);
  });

  it('holds the largest seqs, 2³²−1 at most', () => {
    const v = new VersionVector();
    expect(v.addRange(1, 0xfffffff0, 0x1_0000_0005)).toBe(16);
    expect(v.max(1)).toBe(0xffffffff);
    expect(v.add(1, 0xffffffff)).toBe(false);
  });

  it('digest differs whenever the held set does (model: distinct sets, distinct digests)', () => {
    fc.assert(
      fc.property(arbRanges, arbRanges, (a, b) => {
        const ma = modelEntries(modelOfRanges(a));
        const mb = modelEntries(modelOfRanges(b));
        const same = JSON.stringify(ma) === JSON.stringify(mb);
        expect(buildRanges(a).digest() === buildRanges(b).digest()).toBe(same);
      }),
      { numRuns: 1000 },
    );
    // Shapes the old (contiguous, max, count above) digest could not tell apart.
    const x = build([[1, 1], [1, 2], [1, 4], [1, 7]]);
    const y = build([[1, 1], [1, 2], [1, 5], [1, 7]]);
    expect(x.digest()).not.toBe(y.digest());
    // the cache is invalidated by add and addRange
    const e = build([[1, 1]]);
    const before = e.digest();
    e.add(1, 2);
    expect(e.digest()).not.toBe(before);
    expect(e.digest()).toBe(build([[1, 1], [1, 2]]).digest());
    e.addRange(1, 5, 6);
    expect(e.digest()).toBe(VersionVector.from([[1, 2, [[5, 6]]]]).digest());
  });

  it('select, clone and addAll', () => {
    fc.assert(
      fc.property(arbRanges, arbRanges, (a, b) => {
        const v = buildRanges(a);
        const w = buildRanges(b);
        const even = v.select((d) => d % 2 === 0);
        expect(even.entries()).toEqual(v.entries().filter(([d]) => d % 2 === 0));
        const union = v.clone();
        union.addAll(w);
        expect(snapshot(union)).toEqual(snapshot(buildRanges([...a, ...b])));
        expect(snapshot(v)).toEqual(snapshot(buildRanges(a))); // the clone was a copy
      }),
      { numRuns: 300 },
    );
  });

  it('boundedEntries keeps within the bounds and only ever claims less than is held', () => {
    const v = new VersionVector();
    v.addRange(1, 1, 10);
    for (let k = 0; k < MAX_VECTOR_RANGES_PER_ENTRY + 50; k++) v.addRange(1, 20 + 10 * k, 20 + 10 * k + (k % 7));
    for (let k = 0; k < 30; k++) v.addRange(2, 5 + 3 * k, 5 + 3 * k);
    expect(Vector.safeParse(v.entries()).success).toBe(false); // too many ranges for device 1
    const bounded = v.boundedEntries(500);
    expect(Vector.safeParse(bounded).success).toBe(true);
    const w = VersionVector.from(bounded);
    expect(w.rangeCount()).toBe(500);
    expect(w.contiguous(1)).toBe(10);
    expect(missingFrom(w, v).count).toBe(0); // w ⊆ v
    // the largest ranges were kept: every kept range of device 1 is at least as long as any left out
    const keptMin = Math.min(...w.intervals(1).slice(1).map(([f, t]) => t - f));
    const dropped = missingFrom(v, w).ranges.filter((r) => r.device === 1);
    expect(Math.max(...dropped.map((r) => r.through - r.from))).toBeLessThanOrEqual(keptMin);
    // within bounds it is just entries()
    expect(build([[1, 1], [1, 3]]).boundedEntries()).toEqual([[1, 1, [[3, 3]]]]);
  });
});

describe('the Vector wire schema', () => {
  it('accepts both entry forms and refuses bad ranges', () => {
    expect(Vector.safeParse([[1, 5], [2, 0, [[3, 4]]]]).success).toBe(true);
    expect(Vector.safeParse([[1, 5, []]]).success).toBe(false); // an empty list is left out instead
    expect(Vector.safeParse([[1, 5, [[4, 3]]]]).success).toBe(false); // from > to
    expect(Vector.safeParse([[1, 5, [[0, 3]]]]).success).toBe(false); // seq 0
    expect(Vector.safeParse([[1, 5, [[3]]]]).success).toBe(false);
    expect(Vector.safeParse([[1, 5, [[3, 4]], 9]]).success).toBe(false);
    expect(Vector.safeParse([[1, 5, Array.from({ length: MAX_VECTOR_RANGES_PER_ENTRY + 1 }, (_, i) => [10 + 2 * i, 10 + 2 * i])]]).success).toBe(false);
  });
});

describe('missingFrom', () => {
  /** What a reader lacks, by brute force: every held (d, s) that the reader does not hold. */
  function lacks(have: Model, since: Model): Set<string> {
    const out = new Set<string>();
    for (const [d, set] of have) for (const s of set) if (!since.get(d)?.has(s)) out.add(`${d}:${s}`);
    return out;
  }

  function check(haveRanges: ReadonlyArray<readonly [number, number, number]>, sinceRanges: ReadonlyArray<readonly [number, number, number]>): void {
    const have = buildRanges(haveRanges);
    const since = buildRanges(sinceRanges);
    const { ranges, count } = missingFrom(have, since);
    const expected = lacks(modelOfRanges(haveRanges), modelOfRanges(sinceRanges));
    const got = new Set<string>();
    let overlaps = 0;
    for (const r of ranges) {
      expect(r.from >= 1 && r.through >= r.from).toBe(true);
      for (let s = r.from; s <= r.through; s++) {
        if (got.has(`${r.device}:${s}`)) overlaps++;
        got.add(`${r.device}:${s}`);
      }
    }
    expect(overlaps).toBe(0);
    expect(got).toEqual(expected);
    expect(count).toBe(expected.size);
    // sorted by (device, from), maximal: no two ranges of a device touch
    for (let i = 1; i < ranges.length; i++) {
      const a = ranges[i - 1]!;
      const b = ranges[i]!;
      expect(a.device < b.device || (a.device === b.device && a.through + 1 < b.from)).toBe(true);
    }
    // a reader that receives exactly these then holds the union, and agrees on the digest
    const healed = since.clone();
    for (const r of ranges) healed.addRange(r.device, r.from, r.through);
    const union = have.clone();
    union.addAll(since);
    expect(healed.digest()).toBe(union.digest());
  }

  it('is the interval difference, as a brute-force set model says (random ranges)', () => {
    fc.assert(fc.property(arbRanges, arbRanges, check), { numRuns: 2000 });
  });

  it('is the interval difference for sparse, hole-ridden sets (random seqs)', () => {
    const asRanges = (pairs: Pair[]) => pairs.map(([d, s]): [number, number, number] => [d, s, s]);
    fc.assert(
      fc.property(fc.array(arbPair, { maxLength: 150 }), fc.array(arbPair, { maxLength: 150 }), (a, b) => check(asRanges(a), asRanges(b))),
      { numRuns: 1000 },
    );
  });

  it('a reader that holds a subset lacks exactly the rest; nothing is missing from the holder itself', () => {
    fc.assert(
      fc.property(arbRanges, fc.array(fc.boolean(), { maxLength: 400 }), (ranges, keep) => {
        const have = buildRanges(ranges);
        const subset = new VersionVector();
        let i = 0;
        for (const d of have.devices()) for (const [from, to] of have.intervals(d)) for (let s = from; s <= to; s++) if (keep[i++ % Math.max(1, keep.length)]) subset.add(d, s);
        expect(missingFrom(have, subset).count).toBe(have.count() - subset.count());
        expect(missingFrom(have, have)).toEqual({ ranges: [], count: 0 });
        expect(missingFrom(have, new VersionVector()).count).toBe(have.count());
        expect(missingFrom(new VersionVector(), have)).toEqual({ ranges: [], count: 0 });
      }),
      { numRuns: 500 },
    );
  });

  it('a permanent hole costs nothing: a reader holding 1-3 and 5-100 lacks exactly 101-300', () => {
    const have = new VersionVector();
    have.addRange(9, 1, 3);
    have.addRange(9, 5, 300);
    const reader = VersionVector.from([[9, 3, [[5, 100]]]]);
    expect(missingFrom(have, reader)).toEqual({ ranges: [{ device: 9, from: 101, through: 300 }], count: 200 });
    reader.addRange(9, 101, 300);
    expect(reader.digest()).toBe(have.digest());
    expect(missingFrom(have, reader)).toEqual({ ranges: [], count: 0 });
  });
});

describe('fnv1a64', () => {
  /** The textbook BigInt form, to check the two-halves arithmetic against. */
  function reference(bytes: ArrayLike<number>): string {
    let h = 0xcbf29ce484222325n;
    for (let i = 0; i < bytes.length; i++) h = BigInt.asUintN(64, (h ^ BigInt(bytes[i]!)) * 0x100000001b3n);
    return h.toString(16).padStart(16, '0');
  }

  it('matches the published FNV-1a 64 test values', () => {
    const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
    expect(fnv1a64([])).toBe('cbf29ce484222325');
    expect(fnv1a64(ascii('a'))).toBe('af63dc4c8601ec8c');
    expect(fnv1a64(ascii('foobar'))).toBe('85944171f73967e8');
  });

  it('agrees with the BigInt form on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(fnv1a64(bytes)).toBe(reference(bytes));
    }), { numRuns: 500 });
  });

  it('the empty vector digests to the FNV offset basis', () => {
    expect(new VersionVector().digest()).toBe('cbf29ce484222325');
  });

  it('digest is FNV-1a 64 over (device, interval count, (from, to)…) as u32 BE, by device', () => {
    const v = build([[2, 1], [2, 2], [2, 5], [2, 9], [2, 10], [1, 1]]);
    const u32 = (x: number) => [(x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff];
    const bytes = [...[1, 1, 1, 1].flatMap(u32), ...[2, 3, 1, 2, 5, 5, 9, 10].flatMap(u32)];
    expect(v.digest()).toBe(fnv1a64(bytes));
    expect(v.digest()).toBe(reference(bytes));
  });
});
