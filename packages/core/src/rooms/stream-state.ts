import { VersionVector, type Name, type SeqRange } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import { streamStatePrefix } from '../keys.ts';

/**
 * A device's stream state as stored at `v/<channel>/<device>`: u32 number of intervals, then
 * u32 from and u32 to of each interval held, ascending, big-endian. A stream without holes is
 * one interval (12 bytes) however long it grows, and a permanent hole adds 8 bytes for good,
 * so rewriting it with every publish stays cheap.
 */
export function encodeStreamState(vector: VersionVector, device: number): Uint8Array {
  const intervals = vector.intervals(device);
  const out = new Uint8Array(4 + 8 * intervals.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, intervals.length);
  intervals.forEach(([from, to], i) => {
    view.setUint32(4 + 8 * i, from);
    view.setUint32(8 + 8 * i, to);
  });
  return out;
}

/**
 * Reads a stored stream state: the intervals it lists. Never throws: a value cut short
 * yields the whole intervals it holds, a count that disagrees with the length is ignored,
 * and pairs that are not intervals (from 0, from > to) are skipped. The caller unions what
 * is left, so order and overlaps do not matter.
 */
export function decodeStreamState(bytes: Uint8Array): SeqRange[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: SeqRange[] = [];
  for (let at = 4; at + 8 <= bytes.length; at += 8) {
    const from = view.getUint32(at);
    const to = view.getUint32(at + 4);
    if (from >= 1 && from <= to) out.push([from, to]);
  }
  return out;
}

/** A channel's vector as stored: the union of every device's stream state. */
export async function readVector(kv: KvStore, channel: Name): Promise<VersionVector> {
  const vector = new VersionVector();
  for (const [key, value] of await kv.list(streamStatePrefix(channel))) {
    const device = parseInt(key.slice(key.lastIndexOf('/') + 1), 16);
    for (const [from, to] of decodeStreamState(value)) vector.addRange(device, from, to);
  }
  return vector;
}
