/** What one MLS library measured for one group size; shared by the Node children and the page. */

export type MlsLibrary = 'ts-mls' | 'core-crypto';

/** Milliseconds of each repetition, and their median. */
export interface Timing {
  medianMs: number;
  samplesMs: number[];
}

export interface GroupSizeResult {
  library: MlsLibrary;
  runtime: string;
  /** N: members of the group once built (the creator and N − 1 added in one commit). */
  members: number;
  /** Mean time to make one member's KeyPackage (fresh signature key, basic credential). */
  keyPackageMs: number;
  keyPackageBytes: number;
  /** The creator's one commit adding N − 1 members, with its Welcome (ratchet tree inside). */
  build: { ms: number; commitBytes: number; welcomeBytes: number; groupInfoBytes: number };
  /** A member added by that commit joins from its Welcome. */
  buildJoinMs: number;
  /**
   * GroupInfo bytes: the epoch's GroupInfo with the ratchet tree and the external public key, what
   * a device needs to join by itself (external commit). core-crypto makes it with every commit
   * (its time is inside the commit's); ts-mls on request (groupInfoMs).
   */
  /** One more Add commit in the group of N (the newcomer becomes member N + 1). */
  add: { ms: Timing; commitBytes: number; welcomeBytes: number; groupInfoBytes: number; groupInfoMs?: number };
  /** An existing member (not the committer) processes that Add commit. */
  addProcess: Timing;
  /**
   * The newcomer joins from the Welcome … Repetition 1 joins a tree in which no commit has
   * set a parent node yet (all Adds so far came without a path); later ones join after a
   * Remove, whose path set the parent nodes above the committer.
   */
  join: Timing;
  /** … and then decrypts one application message (200 B) sent after the commit. */
  firstRead: Timing;
  /** One Remove commit (a member in the middle of the tree), back to N members. */
  remove: { ms: Timing; commitBytes: number };
  removeProcess: Timing;
  /** Encoded group state of one member at N (ts-mls `encodeGroupState`); undefined where the library does not expose it. */
  stateBytes?: number;
  stateBytesWithoutTree?: number;
  /** … and with no past epochs kept (ts-mls keeps 4 by default, each with its trees, for late messages). */
  stateBytesCurrentEpoch?: number;
  /** Time to encode / decode that state (what persisting it after each change costs). */
  stateEncode?: Timing;
  stateDecode?: Timing;
  /**
   * Churn, measured last: after the Remove above, two Add commits in a row, each processed by
   * the existing member; then the second newcomer joins from its Welcome.
   */
  churnJoin: { ok: boolean; ms: number; error?: string };
  /** Application messages of 200 bytes: one member encrypts, another decrypts them in order. */
  app: { messages: number; encryptPerSec: number; decryptPerSec: number; ciphertextBytes: number };
  /** Wire format of the commits (public_message or private_message). */
  commitWireFormat: string;
  repetitions: number;
  /** Wall time this group size took, set-up included. */
  totalMs: number;
  notes: string[];
}

export interface ScenarioOptions {
  members: number;
  /** Add/Remove cycles measured (the median is reported). */
  repetitions: number;
  /** Application messages: at most this many … */
  appMessages: number;
  /** … or stop encrypting after this long. */
  appBudgetMs: number;
  /** Called with progress lines (the page forwards them to the console). */
  log?: (line: string) => void;
}

export const PAYLOAD_BYTES = 200;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function timing(samplesMs: number[]): Timing {
  return { medianMs: median(samplesMs), samplesMs: samplesMs.map((v) => Math.round(v * 1000) / 1000) };
}

/** Bytes 2–3 of an MLSMessage are its wire format (RFC 9420 §6). */
export function wireFormatName(message: Uint8Array): string {
  const wf = ((message[2] ?? 0) << 8) | (message[3] ?? 0);
  return ({ 1: 'public_message', 2: 'private_message', 3: 'welcome', 4: 'group_info', 5: 'key_package' } as Record<number, string>)[wf] ?? `wire format ${wf}`;
}

export function payload(i: number): Uint8Array {
  const p = new Uint8Array(PAYLOAD_BYTES);
  for (let k = 0; k < p.length; k++) p[k] = (i + k) & 0xff;
  return p;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
