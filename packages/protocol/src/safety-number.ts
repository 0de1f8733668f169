import { fingerprintDigits } from './fingerprint.ts';

/** Domain separation for safety numbers; a new derivation gets a new label. */
export const SAFETY_NUMBER_LABEL = 'michat-safety-number-v1';

const KEY_BYTES = 32;
const ENTRY_BYTES = 8 + 8 + KEY_BYTES;

/** One signed-in device, with its registered key, of either user a safety number is about. */
export interface SafetyNumberDevice {
  userId: number;
  deviceId: number;
  /** The raw Ed25519 public key (32 bytes). */
  signatureKey: Uint8Array;
}

/**
 * The number two people compare (in person, on a call) to know they see the same keys for
 * each other's devices: the same 60 digits on both sides, whoever computes it.
 *
 *     low, high = the two user ids, smaller first (equal for one's own devices)
 *     entries   = every device of either user, sorted by user id then device id:
 *                 u64 userId | u64 deviceId | signatureKey (32 bytes)      (big-endian)
 *     digest    = SHA-256(UTF-8("michat-safety-number-v1") | u64 low | u64 high | entries)
 *     number    = fingerprintDigits(digest): 12 groups of 5 digits, like a device fingerprint
 *
 * Any device added, removed or re-keyed on either side changes it.
 */
export async function safetyNumber(users: readonly [number, number], devices: readonly SafetyNumberDevice[]): Promise<string> {
  const [low, high] = users[0] <= users[1] ? users : [users[1], users[0]];
  const sorted = [...devices].sort((a, b) => a.userId - b.userId || a.deviceId - b.deviceId);
  const label = new TextEncoder().encode(SAFETY_NUMBER_LABEL);
  const input = new Uint8Array(label.length + 16 + sorted.length * ENTRY_BYTES);
  const view = new DataView(input.buffer);
  input.set(label);
  let at = label.length;
  const u64 = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`safetyNumber: ${n} is not an id`);
    view.setBigUint64(at, BigInt(n));
    at += 8;
  };
  u64(low);
  u64(high);
  let previous: SafetyNumberDevice | undefined;
  for (const d of sorted) {
    if (d.userId !== low && d.userId !== high) throw new RangeError(`safetyNumber: device ${d.deviceId} belongs to neither user`);
    if (d.signatureKey.length !== KEY_BYTES) throw new RangeError(`safetyNumber: device ${d.deviceId}'s key is not ${KEY_BYTES} bytes`);
    if (previous?.deviceId === d.deviceId && previous.userId === d.userId) throw new RangeError(`safetyNumber: device ${d.deviceId} is listed twice`);
    u64(d.userId);
    u64(d.deviceId);
    input.set(d.signatureKey, at);
    at += KEY_BYTES;
    previous = d;
  }
  return fingerprintDigits(new Uint8Array(await crypto.subtle.digest('SHA-256', input)));
}
