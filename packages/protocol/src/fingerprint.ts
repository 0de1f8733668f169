/** Domain separation for device-key fingerprints; a new derivation gets a new label. */
export const DEVICE_FINGERPRINT_LABEL = 'michat-device-key-v1';

const FINGERPRINT_BYTES = 30;
const CHUNK_BYTES = 5;
const CHUNK_MODULUS = 10_000_000_000; // 10 digits from each 40-bit chunk
const GROUP_DIGITS = 5;

/**
 * The fingerprint people compare to verify a device (Signal-like safety-number style):
 *
 *     digest = SHA-256(UTF-8("michat-device-key-v1") || signatureKey)
 *     digest[0..30) = six 5-byte chunks; each, read as a big-endian unsigned 40-bit
 *       integer, mod 10^10, written as 10 decimal digits (zero-padded)
 *     the 60 digits, in 12 groups of 5, joined by single spaces
 *
 * e.g. `05851 17436 …` (71 characters). `signatureKey` is the device's raw Ed25519 public
 * key (32 bytes). Clients and server compute the same thing with this function.
 */
export async function deviceFingerprint(signatureKey: Uint8Array): Promise<string> {
  const label = new TextEncoder().encode(DEVICE_FINGERPRINT_LABEL);
  const input = new Uint8Array(label.length + signatureKey.length);
  input.set(label);
  input.set(signatureKey, label.length);
  return fingerprintDigits(new Uint8Array(await crypto.subtle.digest('SHA-256', input)));
}

/**
 * The 60 digits people read, from a digest of at least 30 bytes: six 5-byte chunks, each a
 * big-endian integer mod 10^10 as 10 zero-padded digits, in 12 groups of 5 joined by spaces.
 * Device fingerprints and safety numbers share it, so they look alike.
 */
export function fingerprintDigits(digest: Uint8Array): string {
  if (digest.length < FINGERPRINT_BYTES) throw new RangeError(`fingerprintDigits needs ${FINGERPRINT_BYTES} bytes, got ${digest.length}`);
  let digits = '';
  for (let at = 0; at < FINGERPRINT_BYTES; at += CHUNK_BYTES) {
    let chunk = 0;
    for (let i = at; i < at + CHUNK_BYTES; i++) chunk = chunk * 256 + digest[i]!;
    digits += String(chunk % CHUNK_MODULUS).padStart(10, '0');
  }
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += GROUP_DIGITS) groups.push(digits.slice(i, i + GROUP_DIGITS));
  return groups.join(' ');
}
