/**
 * Client seal/open per second: the SDK's sealPayload and openPayload
 * (packages/client/src/e2ee/sealed-payload.ts), one message after another as a device's
 * channel group runs them, and their parts on their own: the Ed25519 signature and its check
 * (ts-mls's WebCrypto provider, as the SDK calls it: the key is imported on every call), and
 * AES-256-GCM with the envelope as AAD. Runs unchanged in Node and in a page (bench/e2ee/page.ts):
 * only WebCrypto and performance.now() are used.
 */
import { encodeObject, makeName, objectHeader } from '@michat/protocol';
import { mlsSuite, newSignatureKeyPair } from '../../packages/client/src/e2ee/mls.ts';
import { openPayload, sealPayload } from '../../packages/client/src/e2ee/sealed-payload.ts';

export interface SealOptions {
  /** Plaintext bytes per message. */
  payloadBytes: number;
  /** Messages per measurement, at most … */
  messages: number;
  /** … or stop after this long (ms). */
  budgetMs: number;
}

export interface Rate {
  count: number;
  ms: number;
  perSec: number;
  /** Mean µs per operation. */
  usEach: number;
}

export interface SealResult {
  runtime: string;
  payloadBytes: number;
  /** Bytes of the sealed payload (what the object carries instead of the plaintext). */
  sealedBytes: number;
  seal: Rate;
  open: Rate;
  parts: {
    /** cs.signature.sign of LABEL ‖ envelope ‖ plaintext, as sealPayload calls it (PKCS#8 import + sign). */
    ed25519Sign: Rate;
    /** cs.signature.verify, as openPayload calls it (raw import + verify). */
    ed25519Verify: Rate;
    /** The same signature with a key imported once (what the SDK would save by keeping the CryptoKey). */
    ed25519SignKeyKept: Rate;
    ed25519VerifyKeyKept: Rate;
    /** AES-256-GCM of signature ‖ plaintext with the envelope as AAD, key imported once. */
    aesGcmEncrypt: Rate;
    aesGcmDecrypt: Rate;
  };
}

const LABEL = new TextEncoder().encode('michat sealed payload v1');
const now = () => performance.now();

/** Runs `op(i)` one after another until `o.messages` or `o.budgetMs`; ops per second. */
async function rate(o: SealOptions, op: (i: number) => Promise<unknown>): Promise<Rate> {
  const t0 = now();
  let n = 0;
  while (n < o.messages && now() - t0 < o.budgetMs) await op(n++);
  const ms = now() - t0;
  return { count: n, ms, perSec: (n / ms) * 1000, usEach: (ms / n) * 1000 };
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

export async function runSeal(o: SealOptions, runtime: string, warmup = true): Promise<SealResult> {
  if (warmup) await runSeal({ ...o, messages: Math.min(o.messages, 300), budgetMs: Math.min(o.budgetMs, 500) }, runtime, false);
  const keys = await newSignatureKeyPair();
  const epochKey = new Uint8Array(32);
  crypto.getRandomValues(epochKey);
  const plain = new Uint8Array(o.payloadBytes).fill(0x61);
  // Each message its own name (its envelope is the AAD), as in a channel.
  const header = (i: number) => new Uint8Array(objectHeader(encodeObject({ name: makeName({ kind: 1, org: 1, team: 1, channel: 1, device: 7, seq: i + 1 }), created: 1_780_000_000_000 + i, keyEpoch: 2 }, new Uint8Array(0))));
  const headers = Array.from({ length: o.messages }, (_, i) => header(i));

  const sealed: Uint8Array[] = [];
  const seal = await rate(o, async (i) => sealed.push(await sealPayload(epochKey, headers[i]!, plain, keys.signKey)));
  const open = await rate({ ...o, messages: sealed.length }, async (i) => {
    const r = await openPayload(epochKey, headers[i]!, sealed[i]!, keys.publicKey);
    if (!r.ok) throw new Error(`message ${i} did not open: ${r.reason}`);
  });

  // The parts, on the same inputs.
  const cs = await mlsSuite();
  const signed = (i: number) => concat(LABEL, headers[i]!, plain);
  const signatures: Uint8Array[] = [];
  const ed25519Sign = await rate(o, async (i) => signatures.push(await cs.signature.sign(keys.signKey, signed(i))));
  const ed25519Verify = await rate({ ...o, messages: signatures.length }, async (i) => {
    if (!(await cs.signature.verify(keys.publicKey, signed(i), signatures[i]!))) throw new Error('signature did not verify');
  });
  const signKey = await crypto.subtle.importKey('pkcs8', new Uint8Array(keys.signKey), 'Ed25519', false, ['sign']);
  const verifyKey = await crypto.subtle.importKey('raw', new Uint8Array(keys.publicKey), 'Ed25519', false, ['verify']);
  const ed25519SignKeyKept = await rate(o, (i) => crypto.subtle.sign('Ed25519', signKey, signed(i)));
  const ed25519VerifyKeyKept = await rate({ ...o, messages: signatures.length }, async (i) => {
    if (!(await crypto.subtle.verify('Ed25519', verifyKey, new Uint8Array(signatures[i]!), signed(i)))) throw new Error('signature did not verify');
  });
  const aes = await crypto.subtle.importKey('raw', epochKey, 'AES-GCM', false, ['encrypt', 'decrypt']);
  const body = concat(new Uint8Array(64), plain);
  const nonce = (i: number) => {
    const n = new Uint8Array(12);
    new DataView(n.buffer).setUint32(8, i);
    return n;
  };
  const boxes: Uint8Array[] = [];
  const aesGcmEncrypt = await rate(o, async (i) => boxes.push(new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce(i), additionalData: headers[i]! }, aes, body))));
  const aesGcmDecrypt = await rate({ ...o, messages: boxes.length }, (i) => crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce(i), additionalData: headers[i]! }, aes, boxes[i]! as Uint8Array<ArrayBuffer>));

  return {
    runtime,
    payloadBytes: o.payloadBytes,
    sealedBytes: sealed[0]!.length,
    seal,
    open,
    parts: { ed25519Sign, ed25519Verify, ed25519SignKeyKept, ed25519VerifyKeyKept, aesGcmEncrypt, aesGcmDecrypt },
  };
}
