/**
 * The benchmark message: a text whose fixed-width tail carries a sequence number and the
 * send time, so a receiver reads both from the last bytes of a frame without decoding it.
 *
 * Payload JSON: {"type":"text","text":"xxxx…|<seq: 8 digits>|<performance.now(), 14 chars>"}
 * A michat `obj` frame (and a `pub` frame) ends with that payload; a Socket.IO event frame
 * carrying it as an object ends with it plus `]` (see `parseTail`'s `trailing`).
 */
import { performance } from 'node:perf_hooks';

/** Text payload size (JSON bytes of the object payload): ~100 B, like a short chat line. */
export const PAYLOAD_BYTES = 100;
export const TAIL_TS = 14;
export const TAIL_SEQ = 8;
const JSON_OVERHEAD = '{"type":"text","text":""}'.length;
const FILL = 'x'.repeat(Math.max(0, PAYLOAD_BYTES - JSON_OVERHEAD - TAIL_SEQ - TAIL_TS - 2));

/** The text of message `seq`, stamped with the current time. */
export function messageText(seq: number): string {
  return `${FILL}|${String(seq).padStart(TAIL_SEQ, '0')}|${performance.now().toFixed(3).padStart(TAIL_TS, '0')}`;
}

/** The send time of the tail `parseTail` read last (a live binding). */
export let tailTs = 0;

/**
 * The tail's seq (and its send time in `tailTs`), or -1 when `b` is not a benchmark message.
 * `trailing`: bytes after the payload's closing `"}` (0 for michat frames).
 */
export function parseTail(b: Buffer, trailing = 0): number {
  const n = b.length - trailing;
  if (n < 30 || b[n - 1] !== 0x7d || b[n - 2] !== 0x22) return -1;
  const tsStart = n - 2 - TAIL_TS;
  const seqStart = tsStart - 1 - TAIL_SEQ;
  if (b[tsStart - 1] !== 0x7c || b[seqStart - 1] !== 0x7c) return -1;
  let seq = 0;
  for (let i = seqStart; i < seqStart + TAIL_SEQ; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    seq = seq * 10 + d;
  }
  let whole = 0;
  let frac = 0;
  let scale = 1;
  let dot = false;
  for (let i = tsStart; i < tsStart + TAIL_TS; i++) {
    const c = b[i]!;
    if (c === 0x2e) {
      dot = true;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return -1;
    if (dot) {
      scale *= 10;
      frac = frac * 10 + d;
    } else whole = whole * 10 + d;
  }
  tailTs = whole + frac / scale;
  return seq;
}

/** Whether `text` holds message `seq`'s tail (for a once-per-run check against a full decode). */
export function hasTail(text: string, seq: number): boolean {
  return text.includes(`|${String(seq).padStart(TAIL_SEQ, '0')}|`);
}
