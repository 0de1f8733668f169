import { MAX_VECTOR_RANGES, MAX_VECTOR_RANGES_PER_ENTRY } from './limits.ts';
import { MAX_SEQ } from './name.ts';

/**
 * What a reader holds of a channel, per sending device: a sorted list of disjoint closed
 * intervals `[from, to]` of sequence numbers. Adjacent intervals are merged, so a stream
 * without holes is a single interval `[1, n]`, and a permanent hole (a seq taken but never
 * stored) costs one more interval for good, not one entry per later object.
 *
 * Wire form (`VectorEntries`), sorted by device, devices holding nothing left out:
 * `[device, contiguous]`, or `[device, contiguous, ranges]` where `contiguous` is n when
 * the device's first interval is `[1, n]` (else 0) and `ranges` lists every other interval,
 * ascending (left out when there is none).
 */
export type SeqRange = [from: number, to: number];
export type VectorEntry = [device: number, contiguous: number] | [device: number, contiguous: number, ranges: SeqRange[]];
export type VectorEntries = VectorEntry[];

export class VersionVector {
  /** Per device: flat `[from0, to0, from1, to1, …]`, ascending, disjoint, never adjacent. */
  private readonly streams = new Map<number, number[]>();
  private cachedDigest: string | undefined;

  /** From wire entries. Lenient: ranges may overlap, touch or come in any order (they are unioned). */
  static from(entries: readonly VectorEntry[]): VersionVector {
    const v = new VersionVector();
    for (const [device, contiguous, ranges] of entries) {
      v.addRange(device, 1, contiguous);
      if (ranges) for (const [from, to] of ranges) v.addRange(device, from, to);
    }
    return v;
  }

  /** Records that (device, seq) is held; returns false when it already was. Seqs start at 1. */
  add(device: number, seq: number): boolean {
    return this.addRange(device, seq, seq) > 0;
  }

  /**
   * Records that every seq in [from, to] is held; returns how many were not held before.
   * Out-of-range bounds are clipped to 1..2³²−1; an empty or non-integer range adds nothing.
   */
  addRange(device: number, from: number, to: number): number {
    if (!Number.isInteger(from) || !Number.isInteger(to)) return 0;
    from = Math.max(from, 1); // seq 0 is never held: no empty stream, or the digest would count it
    to = Math.min(to, MAX_SEQ);
    if (from > to) return 0;
    const s = this.streams.get(device);
    if (!s) {
      this.streams.set(device, [from, to]);
      this.cachedDigest = undefined;
      return to - from + 1;
    }
    // Fast path: the next seq of the last interval (the usual publish).
    const last = s.length - 2;
    if (from === s[last + 1]! + 1) {
      s[last + 1] = to;
      this.cachedDigest = undefined;
      return to - from + 1;
    }
    // Intervals i..j (pair indices) touch or overlap [from, to]; merge them into one.
    const i = firstEndingAtOrAfter(s, from - 1);
    let j = i;
    while (j < s.length / 2 && s[2 * j]! <= to + 1) j++;
    if (i === j) {
      s.splice(2 * i, 0, from, to);
      this.cachedDigest = undefined;
      return to - from + 1;
    }
    let before = 0;
    for (let k = i; k < j; k++) before += s[2 * k + 1]! - s[2 * k]! + 1;
    const lo = Math.min(from, s[2 * i]!);
    const hi = Math.max(to, s[2 * j - 1]!);
    const added = hi - lo + 1 - before;
    if (added === 0) return 0;
    s.splice(2 * i, 2 * (j - i), lo, hi);
    this.cachedDigest = undefined;
    return added;
  }

  /** Everything `other` holds is held here too afterwards. */
  addAll(other: VersionVector): void {
    for (const [device, s] of other.streams) for (let k = 0; k < s.length; k += 2) this.addRange(device, s[k]!, s[k + 1]!);
  }

  has(device: number, seq: number): boolean {
    const s = this.streams.get(device);
    if (!s) return false;
    const i = firstEndingAtOrAfter(s, seq);
    return 2 * i < s.length && s[2 * i]! <= seq;
  }

  /** n when the device's seqs 1..n are all held (and n + 1 is not); 0 when seq 1 is not held. */
  contiguous(device: number): number {
    const s = this.streams.get(device);
    return s && s[0] === 1 ? s[1]! : 0;
  }

  /** Highest seq held for the device (0 when none). */
  max(device: number): number {
    const s = this.streams.get(device);
    return s ? s[s.length - 1]! : 0;
  }

  /** The device's intervals `[from, to]`, ascending, disjoint and not adjacent. */
  intervals(device: number): SeqRange[] {
    const s = this.streams.get(device);
    const out: SeqRange[] = [];
    if (s) for (let k = 0; k < s.length; k += 2) out.push([s[k]!, s[k + 1]!]);
    return out;
  }

  /** Number of intervals of one device, or of all devices. */
  intervalCount(device?: number): number {
    if (device !== undefined) return (this.streams.get(device)?.length ?? 0) / 2;
    let n = 0;
    for (const s of this.streams.values()) n += s.length / 2;
    return n;
  }

  /** Intervals the wire form lists as `ranges` for the device: all but a leading `[1, n]`. */
  rangeCount(device?: number): number {
    if (device !== undefined) {
      const s = this.streams.get(device);
      return s ? s.length / 2 - (s[0] === 1 ? 1 : 0) : 0;
    }
    let n = 0;
    for (const s of this.streams.values()) n += s.length / 2 - (s[0] === 1 ? 1 : 0);
    return n;
  }

  /** How many seqs the device holds (or all devices together). */
  count(device?: number): number {
    const sum = (s: number[]) => {
      let n = 0;
      for (let k = 0; k < s.length; k += 2) n += s[k + 1]! - s[k]! + 1;
      return n;
    };
    if (device !== undefined) {
      const s = this.streams.get(device);
      return s ? sum(s) : 0;
    }
    let n = 0;
    for (const s of this.streams.values()) n += sum(s);
    return n;
  }

  devices(): number[] {
    return [...this.streams.keys()].sort((a, b) => a - b);
  }

  get size(): number {
    return this.streams.size;
  }

  /** A copy holding only the devices `keep` accepts. */
  select(keep: (device: number) => boolean): VersionVector {
    const v = new VersionVector();
    for (const [device, s] of this.streams) if (keep(device)) v.streams.set(device, [...s]);
    return v;
  }

  clone(): VersionVector {
    return this.select(() => true);
  }

  /** Wire form: `[device, contiguous]` or `[device, contiguous, ranges]`, sorted by device. */
  entries(): VectorEntries {
    const out: VectorEntries = [];
    for (const d of this.devices()) {
      const s = this.streams.get(d)!;
      const contiguous = s[0] === 1 ? s[1]! : 0;
      const ranges: SeqRange[] = [];
      for (let k = contiguous ? 2 : 0; k < s.length; k += 2) ranges.push([s[k]!, s[k + 1]!]);
      out.push(ranges.length ? [d, contiguous, ranges] : [d, contiguous]);
    }
    return out;
  }

  /**
   * The wire form within the vector bounds (at most `maxRanges` ranges in all and
   * MAX_VECTOR_RANGES_PER_ENTRY per device): the smallest ranges are left out. For a reader's
   * `since` only: claiming to hold less than it does costs duplicates (dropped by name),
   * never a missed object. Never use it for what a holder has.
   */
  boundedEntries(maxRanges = MAX_VECTOR_RANGES): VectorEntries {
    if (this.rangeCount() <= maxRanges && this.devices().every((d) => this.rangeCount(d) <= MAX_VECTOR_RANGES_PER_ENTRY)) return this.entries();
    const candidates: Array<{ device: number; from: number; to: number }> = [];
    const size = (r: SeqRange) => r[1] - r[0];
    for (const entry of this.entries()) {
      const kept = [...(entry[2] ?? [])].sort((a, b) => size(b) - size(a)).slice(0, MAX_VECTOR_RANGES_PER_ENTRY);
      for (const [from, to] of kept) candidates.push({ device: entry[0], from, to });
    }
    candidates.sort((a, b) => b.to - b.from - (a.to - a.from));
    const v = new VersionVector();
    for (const d of this.devices()) v.addRange(d, 1, this.contiguous(d));
    for (const c of candidates.slice(0, maxRanges)) v.addRange(c.device, c.from, c.to);
    return v.entries();
  }

  /**
   * 16 hex digits: FNV-1a 64 over, for each device in ascending order, u32 device, u32 number
   * of intervals, then u32 from and u32 to of each interval in ascending order (all big-endian;
   * intervals maximal, i.e. adjacent ones merged). The empty vector digests to the offset basis.
   */
  digest(): string {
    if (this.cachedDigest !== undefined) return this.cachedDigest;
    const h = new Fnv1a64();
    for (const d of this.devices()) {
      const s = this.streams.get(d)!;
      h.u32(d);
      h.u32(s.length / 2);
      for (const x of s) h.u32(x);
    }
    this.cachedDigest = h.hex();
    return this.cachedDigest;
  }
}

/** Index of the first interval (pair index) whose `to` is ≥ seq; the interval count if none. */
function firstEndingAtOrAfter(s: number[], seq: number): number {
  let lo = 0;
  let hi = s.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[2 * mid + 1]! < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * FNV-1a 64, fed byte by byte, in two 32-bit halves: the same result as the BigInt form
 * without allocating per byte (a digest runs on every heartbeat of a changed vector).
 */
class Fnv1a64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  byte(b: number): void {
    // h × 0x100000001b3 = h × 0x1b3 + (h << 40), mod 2⁶⁴. lo × 0x1b3 < 2⁴¹ stays exact.
    const lo = (this.lo ^ b) >>> 0;
    const loTimes = lo * 0x1b3;
    this.hi = (Math.imul(this.hi, 0x1b3) + Math.floor(loTimes / 0x100000000) + (lo << 8)) >>> 0;
    this.lo = loTimes >>> 0;
  }

  u32(v: number): void {
    this.byte((v >>> 24) & 0xff);
    this.byte((v >>> 16) & 0xff);
    this.byte((v >>> 8) & 0xff);
    this.byte(v & 0xff);
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/** FNV-1a 64-bit over bytes, as 16 lowercase hex digits. */
export function fnv1a64(bytes: ArrayLike<number>): string {
  const h = new Fnv1a64();
  for (let i = 0; i < bytes.length; i++) h.byte(bytes[i]!);
  return h.hex();
}

/** One run of seqs a reader lacks: every seq in [from, through] of the device. */
export interface MissingRange {
  device: number;
  from: number;
  through: number;
}

/**
 * Recovery, as a pure function: what does a reader holding `since` lack of what the holder
 * `have` holds? Returns the interval difference `have − since` as maximal ranges, sorted by
 * device then seq (a device may have several), and how many seqs they hold in all.
 */
export function missingFrom(have: VersionVector, since: VersionVector): { ranges: MissingRange[]; count: number } {
  const ranges: MissingRange[] = [];
  let count = 0;
  for (const device of have.devices()) {
    const lacks = since.intervals(device);
    let k = 0;
    for (const [from, to] of have.intervals(device)) {
      let at = from; // the lowest seq of [from, to] not yet decided
      while (k < lacks.length && lacks[k]![1] < at) k++;
      for (let m = k; m < lacks.length && lacks[m]![0] <= to; m++) {
        const [rf, rt] = lacks[m]!;
        if (rf > at) {
          ranges.push({ device, from: at, through: rf - 1 });
          count += rf - at;
        }
        at = Math.max(at, rt + 1);
        if (at > to) break;
      }
      if (at <= to) {
        ranges.push({ device, from: at, through: to });
        count += to - at + 1;
      }
    }
  }
  return { ranges, count };
}
