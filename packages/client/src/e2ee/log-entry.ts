/**
 * The payload of a group-log object: one MLS Commit and, when it adds members, the Welcome
 * for them (with the ratchet tree inside, so a newcomer needs nothing else).
 *
 *     0   u8   format (1)
 *     1   u32  commit length n (big-endian)
 *     5   n    Commit (an MLSMessage)
 *     5+n      Welcome (an MLSMessage), or nothing
 */
const FORMAT = 1;

export interface LogEntry {
  commit: Uint8Array;
  welcome?: Uint8Array;
}

export function encodeLogEntry(entry: LogEntry): Uint8Array {
  const welcome = entry.welcome ?? new Uint8Array(0);
  const out = new Uint8Array(5 + entry.commit.length + welcome.length);
  out[0] = FORMAT;
  new DataView(out.buffer).setUint32(1, entry.commit.length);
  out.set(entry.commit, 5);
  out.set(welcome, 5 + entry.commit.length);
  return out;
}

/** Undefined for bytes that are not a log entry. */
export function decodeLogEntry(bytes: Uint8Array): LogEntry | undefined {
  if (bytes.length < 5 || bytes[0] !== FORMAT) return undefined;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  if (5 + n > bytes.length || n === 0) return undefined;
  const entry: LogEntry = { commit: bytes.subarray(5, 5 + n) };
  if (5 + n < bytes.length) entry.welcome = bytes.subarray(5 + n);
  return entry;
}
