/**
 * The payload of a group-log object: one MLS Commit; when it adds members, the Welcome for
 * them; and the GroupInfo of the epoch it starts (ratchet tree and external key inside), so a
 * device nobody adds can join by itself with an external Commit.
 *
 *     0   u8   format (2)
 *     1   u32  n: Commit length (big-endian), then n bytes: the Commit (an MLSMessage)
 *         u32  w: Welcome length (0: none),   then w bytes: the Welcome (an MLSMessage)
 *         rest     the GroupInfo (an MLSMessage), or nothing
 */
const FORMAT = 2;

export interface LogEntry {
  commit: Uint8Array;
  welcome?: Uint8Array;
  groupInfo?: Uint8Array;
}

export function encodeLogEntry(entry: LogEntry): Uint8Array {
  const welcome = entry.welcome ?? new Uint8Array(0);
  const groupInfo = entry.groupInfo ?? new Uint8Array(0);
  const out = new Uint8Array(9 + entry.commit.length + welcome.length + groupInfo.length);
  const view = new DataView(out.buffer);
  out[0] = FORMAT;
  let at = 1;
  for (const part of [entry.commit, welcome]) {
    view.setUint32(at, part.length);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  out.set(groupInfo, at);
  return out;
}

/** Undefined for bytes that are not a log entry. */
export function decodeLogEntry(bytes: Uint8Array): LogEntry | undefined {
  if (bytes.length < 9 || bytes[0] !== FORMAT) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let at = 1;
  for (let i = 0; i < 2; i++) {
    if (at + 4 > bytes.length) return undefined;
    const n = view.getUint32(at);
    if (at + 4 + n > bytes.length) return undefined;
    parts.push(bytes.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  const [commit, welcome] = parts as [Uint8Array, Uint8Array];
  if (commit.length === 0) return undefined;
  const entry: LogEntry = { commit };
  if (welcome.length) entry.welcome = welcome;
  if (at < bytes.length) entry.groupInfo = bytes.subarray(at);
  return entry;
}
