/**
 * Wire protocol version. Bump on any change to a frame schema or the object encoding,
 * and add one line to the history below (a test hashes the schemas to enforce this).
 *
 * History:
 * - 1: first version (hello/welcome, pub/ack, sub/sync/objs, hist, hb/vec, presence, typing).
 *   Changed within 1 before any release: vectors carry per-device intervals (`[device,
 *   contiguous, ranges?]`, digest over intervals), `ping`/`pong`, `err.prefix`/`err.bits`.
 */
export const PROTOCOL_VERSION = 1;
/** Oldest client protocol version this code still speaks. */
export const MIN_PROTOCOL_VERSION = 1;

/** Picks the highest version both sides speak, or undefined when there is none. */
export function negotiateVersion(offered: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const v of offered) {
    if (v >= MIN_PROTOCOL_VERSION && v <= PROTOCOL_VERSION && (best === undefined || v > best)) best = v;
  }
  return best;
}
