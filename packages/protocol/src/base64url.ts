/**
 * Unpadded base64url (RFC 4648 §5), the form of every opaque byte field in the HTTP API
 * (device keys, KeyPackages). Runtime-neutral: `btoa`/`atob` exist in browsers, Node and
 * workers.
 */
export const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** Characters of `bytes` bytes in unpadded base64url. */
export function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  // In chunks: String.fromCharCode(...all) overflows the stack on large inputs.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of an unpadded base64url string; undefined when it is not one (padding, other characters, a length of 4n+1). */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!BASE64URL_PATTERN.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
