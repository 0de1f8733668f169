
import { mlsSuite } from './mls.ts';

/**
 * A sealed application payload: readable by whoever holds the key of the MLS epoch it was
 * sealed in (every member of that epoch, and members it was shared with later), and signed by
 * the sending device's key, so the sender is known whatever path the object took.
 *
 *     0    u8   format (3)
 *     1    12   AES-GCM nonce (random)
 *     13        AES-256-GCM(epoch key, nonce, aad = envelope)( signature (64) || plaintext )
 *
 * The signature is Ed25519 over LABEL || envelope || plaintext, with the key the device
 * registered (and put in its MLS leaf).
 */
const FORMAT = 3;
const NONCE_BYTES = 12;
const SIGNATURE_BYTES = 64;
const LABEL = new TextEncoder().encode('michat sealed payload v1');

export async function sealPayload(epochKey: Uint8Array, envelope: Uint8Array, plain: Uint8Array, signKey: Uint8Array): Promise<Uint8Array> {
  const cs = await mlsSuite();
  const signature = await cs.signature.sign(signKey, concat(LABEL, envelope, plain));
  const nonce = new Uint8Array(NONCE_BYTES);
  crypto.getRandomValues(nonce);
  const key = await aesKey(epochKey);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: copy(envelope) }, key, concat(signature, plain)));
  return concat(Uint8Array.of(FORMAT), nonce, sealed);
}

export type Unsealed = { ok: true; plain: Uint8Array } | { ok: false; reason: 'not-sealed' | 'undecryptable' | 'bad-signature' };

/** Opens a payload with its epoch's key and checks the signature with the sender's key. */
export async function openPayload(epochKey: Uint8Array, envelope: Uint8Array, payload: Uint8Array, senderKey: Uint8Array): Promise<Unsealed> {
  if (payload.length < 1 + NONCE_BYTES + SIGNATURE_BYTES + 16 || payload[0] !== FORMAT) return { ok: false, reason: 'not-sealed' };
  let opened: Uint8Array;
  try {
    const key = await aesKey(epochKey);
    const nonce = copy(payload.subarray(1, 1 + NONCE_BYTES));
    opened = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: copy(envelope) }, key, copy(payload.subarray(1 + NONCE_BYTES))));
  } catch {
    return { ok: false, reason: 'undecryptable' };
  }
  const signature = opened.subarray(0, SIGNATURE_BYTES);
  const plain = opened.subarray(SIGNATURE_BYTES);
  const cs = await mlsSuite();
  const valid = await cs.signature.verify(senderKey, concat(LABEL, envelope, plain), signature).catch(() => false);
  return valid ? { ok: true, plain } : { ok: false, reason: 'bad-signature' };
}

/** True when the bytes have the sealed-payload format (not a proof that they open). */
export function isSealedPayload(payload: Uint8Array): boolean {
  return payload[0] === FORMAT && payload.length >= 1 + NONCE_BYTES + SIGNATURE_BYTES + 16;
}

const keys = new Map<string, Promise<CryptoKey>>();
/** The AES key of an epoch key, imported once. */
function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  const id = Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle.importKey('raw', new Uint8Array(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
    keys.set(id, key);
    if (keys.size > 4_096) keys.delete(keys.keys().next().value!);
  }
  return key;
}

/** A copy on its own ArrayBuffer (what WebCrypto's types ask for). */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}


