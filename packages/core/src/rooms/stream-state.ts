import type { VersionVector } from '@michat/protocol';

/**
 * A device's stream state as stored at `v/<channel>/<device>`: u32 contiguous high-water,
 * then u32 for each seq held above it (usually none), big-endian.
 */
export function encodeStreamState(vector: VersionVector, device: number): Uint8Array {
  const above = vector.above(device);
  const out = new Uint8Array(4 * (1 + above.length));
  const view = new DataView(out.buffer);
  view.setUint32(0, vector.contiguous(device));
  above.forEach((seq, i) => view.setUint32(4 * (i + 1), seq));
  return out;
}

/** Reads a stored stream state. */
export function decodeStreamState(bytes: Uint8Array): { contiguous: number; above: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const above: number[] = [];
  for (let at = 4; at + 4 <= bytes.length; at += 4) above.push(view.getUint32(at));
  return { contiguous: view.getUint32(0), above };
}
