import { MichatError } from '@michat/protocol';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { fromBase64, toBase64 } from './base64.ts';

/**
 * An export sealed under a passphrase: the whole export document (UTF-8 JSON) encrypted with
 * AES-256-GCM, its key derived from the passphrase with scrypt. Everything else in the file
 * (format, parameters, salt, iv) is the cipher's authenticated data, so no byte of it can
 * change without the import noticing.
 */
export interface EncryptedExport {
  format: 'michat-export-encrypted';
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; /** base64, 16 random bytes */ salt: string };
  cipher: 'AES-256-GCM';
  /** base64, 12 random bytes */
  iv: string;
  /** base64: the export document's JSON, encrypted, with GCM's 16-byte tag at the end */
  ciphertext: string;
}

/**
 * scrypt's cost for new exports: 64 MiB of memory (128·N·r) and 0.5–0.8 s per try in Node 24
 * and in Chromium on a small 2-core machine (docs/sdk.md), so each guess at a passphrase costs
 * an attacker as much, while an export or import stays well under 2 s.
 */
export const EXPORT_SCRYPT = { N: 2 ** 16, r: 8, p: 1 } as const;

/** The most work an import does for a file's parameters: 4× ours (a crafted file must not take minutes or gigabytes). */
const MAX_SCRYPT_WORK = 4 * EXPORT_SCRYPT.N * EXPORT_SCRYPT.r * EXPORT_SCRYPT.p;
const MAX_SCRYPT_MEMORY_BYTES = 256 * 1024 * 1024;
const SALT_BYTES = 16;
const IV_BYTES = 12;

export function isEncryptedExport(data: unknown): data is EncryptedExport {
  return !!data && typeof data === 'object' && (data as { format?: unknown }).format === 'michat-export-encrypted';
}

/** Encrypts an export document under a passphrase, with fresh salt and iv. */
export async function encryptExport(document: unknown, passphrase: string): Promise<EncryptedExport> {
  const kdf = { name: 'scrypt' as const, ...EXPORT_SCRYPT, salt: toBase64(crypto.getRandomValues(new Uint8Array(SALT_BYTES))) };
  const iv = toBase64(crypto.getRandomValues(new Uint8Array(IV_BYTES)));
  const header = { format: 'michat-export-encrypted' as const, version: 1 as const, kdf, cipher: 'AES-256-GCM' as const, iv };
  const key = await deriveKey(checkPassphrase(passphrase), kdf, 'encrypt');
  const plaintext = new TextEncoder().encode(JSON.stringify(document));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: fromBase64(iv), additionalData: headerBytes(header) }, key, plaintext);
  return { ...header, ciphertext: toBase64(new Uint8Array(sealed)) };
}

/**
 * The export document inside an encrypted export (parsed JSON, not yet checked as an export).
 * Throws Unauthorized for a wrong passphrase or any changed byte (GCM cannot tell them apart),
 * BadRequest for parameters beyond what an import spends, TypeError for a malformed file.
 */
export async function decryptExport(data: EncryptedExport, passphrase: string): Promise<unknown> {
  const file = checkEncrypted(data);
  const key = await deriveKey(checkPassphrase(passphrase), file.kdf, 'decrypt');
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(file.iv), additionalData: headerBytes(file) }, key, fromBase64(file.ciphertext));
  } catch {
    throw new MichatError('Unauthorized', 'wrong passphrase or damaged export');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext)) as unknown;
  } catch {
    throw new TypeError('the encrypted michat export holds no export');
  }
}

/** NFKC, so a passphrase typed with composed or decomposed accents derives the same key on every system. */
function checkPassphrase(passphrase: string): string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new MichatError('BadRequest', 'the passphrase is empty');
  return passphrase.normalize('NFKC');
}

async function deriveKey(passphrase: string, kdf: EncryptedExport['kdf'], use: KeyUsage): Promise<CryptoKey> {
  const raw = await scryptAsync(passphrase, fromBase64(kdf.salt), { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: 32, maxmem: MAX_SCRYPT_MEMORY_BYTES + 2048 });
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, [use]);
}

/** The authenticated data: every field but the ciphertext, in a fixed order. */
function headerBytes(h: Omit<EncryptedExport, 'ciphertext'>): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify([h.format, h.version, h.kdf.name, h.kdf.N, h.kdf.r, h.kdf.p, h.kdf.salt, h.cipher, h.iv]));
}

function checkEncrypted(data: EncryptedExport): EncryptedExport {
  if (data.version !== 1) throw new TypeError(`encrypted michat export version ${String(data.version)} is not supported (this client reads version 1)`);
  const { kdf, cipher, iv, ciphertext } = data;
  const isBase64 = (v: unknown, bytes?: number) => {
    if (typeof v !== 'string') return false;
    try {
      return bytes === undefined || fromBase64(v).length === bytes;
    } catch {
      return false;
    }
  };
  const whole = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
  if (!kdf || kdf.name !== 'scrypt' || !whole(kdf.N) || !whole(kdf.r) || !whole(kdf.p) || !isBase64(kdf.salt) || cipher !== 'AES-256-GCM' || !isBase64(iv, IV_BYTES) || !isBase64(ciphertext)) {
    throw new TypeError('the encrypted michat export is incomplete');
  }
  if (kdf.N * kdf.r * kdf.p > MAX_SCRYPT_WORK || 128 * kdf.N * kdf.r > MAX_SCRYPT_MEMORY_BYTES) {
    throw new MichatError('BadRequest', `this export's scrypt parameters (N=${kdf.N}, r=${kdf.r}, p=${kdf.p}) cost more than an import spends`);
  }
  if (kdf.N < 2 || (kdf.N & (kdf.N - 1)) !== 0) throw new TypeError('the encrypted michat export is incomplete (scrypt N is not a power of two)');
  return data;
}
