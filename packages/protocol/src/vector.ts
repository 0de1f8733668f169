/**
 * What a reader holds of a channel, per sending device: the highest contiguous sequence
 * number, plus any numbers held above it (rare: a device's gap that has not healed yet).
 *
 * The wire form is only the contiguous part, `[[device, seq], …]` sorted by device; a
 * catch-up sends every object above it. The digest covers contiguous, max and the count
 * above, so two holders with the same digest almost surely hold the same set.
 */
export type VectorEntries = Array<[device: number, seq: number]>;

interface DeviceStream {
  contiguous: number;
  above: Set<number> | undefined;
}

export class VersionVector {
  private readonly streams = new Map<number, DeviceStream>();
  private cachedDigest: string | undefined;

  static from(entries: VectorEntries): VersionVector {
    const v = new VersionVector();
    for (const [device, seq] of entries) if (seq > 0) v.streams.set(device, { contiguous: seq, above: undefined });
    return v;
  }

  /** Records that (device, seq) is held; returns false when it already was. Seqs start at 1. */
  add(device: number, seq: number): boolean {
    if (!(seq >= 1)) return false; // seq 0 is never held: no empty stream, or the digest would count it
    let s = this.streams.get(device);
    if (!s) {
      s = { contiguous: 0, above: undefined };
      this.streams.set(device, s);
    }
    if (seq <= s.contiguous || s.above?.has(seq)) return false;
    this.cachedDigest = undefined;
    if (seq !== s.contiguous + 1) {
      (s.above ??= new Set()).add(seq);
      return true;
    }
    s.contiguous = seq;
    while (s.above?.delete(s.contiguous + 1)) s.contiguous++;
    if (s.above?.size === 0) s.above = undefined;
    return true;
  }

  has(device: number, seq: number): boolean {
    const s = this.streams.get(device);
    return !!s && (seq <= s.contiguous || !!s.above?.has(seq));
  }

  contiguous(device: number): number {
    return this.streams.get(device)?.contiguous ?? 0;
  }

  /** Highest seq held for the device (0 when none). */
  max(device: number): number {
    const s = this.streams.get(device);
    if (!s) return 0;
    let m = s.contiguous;
    if (s.above) for (const a of s.above) if (a > m) m = a;
    return m;
  }

  /** Sequence numbers held above the contiguous part, ascending. */
  above(device: number): number[] {
    const s = this.streams.get(device);
    return s?.above ? [...s.above].sort((a, b) => a - b) : [];
  }

  devices(): number[] {
    return [...this.streams.keys()].sort((a, b) => a - b);
  }

  get size(): number {
    return this.streams.size;
  }

  /** Wire form: contiguous high-water per device, sorted by device, zeros left out. */
  entries(): VectorEntries {
    const out: VectorEntries = [];
    for (const d of this.devices()) {
      const c = this.contiguous(d);
      if (c > 0) out.push([d, c]);
    }
    return out;
  }

  /** 16 hex digits: FNV-1a 64 over (device, contiguous, max, countAbove) as u32 BE, by device. */
  digest(): string {
    if (this.cachedDigest !== undefined) return this.cachedDigest;
    const bytes: number[] = [];
    const u32 = (v: number) => bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    for (const d of this.devices()) {
      u32(d);
      u32(this.contiguous(d));
      u32(this.max(d));
      u32(this.streams.get(d)?.above?.size ?? 0);
    }
    this.cachedDigest = fnv1a64(bytes);
    return this.cachedDigest;
  }
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** FNV-1a 64-bit over bytes, as 16 lowercase hex digits. */
export function fnv1a64(bytes: ArrayLike<number>): string {
  let h = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) {
    h ^= BigInt(bytes[i]!);
    h = BigInt.asUintN(64, h * FNV_PRIME);
  }
  return h.toString(16).padStart(16, '0');
}

/** One device's missing run: every held seq in (after, through]. */
export interface MissingRange {
  device: number;
  after: number;
  through: number;
}

/**
 * Recovery, as a pure function: what does a reader that holds `since` lack, given what
 * the holder `have` holds? Returns the ranges to send and how many objects they hold.
 */
export function missingFrom(have: VersionVector, since: ReadonlyMap<number, number>): { ranges: MissingRange[]; count: number } {
  const ranges: MissingRange[] = [];
  let count = 0;
  for (const device of have.devices()) {
    const after = since.get(device) ?? 0;
    const max = have.max(device);
    if (max <= after) continue;
    const contiguous = have.contiguous(device);
    count += Math.max(0, contiguous - after) + have.above(device).filter((s) => s > after).length;
    ranges.push({ device, after, through: max });
  }
  return { ranges, count };
}

/** Map form of wire entries, validating them. Undefined when malformed. */
export function vectorMap(entries: VectorEntries): Map<number, number> {
  const m = new Map<number, number>();
  for (const [d, s] of entries) m.set(d, Math.max(s, m.get(d) ?? 0));
  return m;
}
