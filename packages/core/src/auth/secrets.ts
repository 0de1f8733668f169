/** Random bytes as unpadded base64url: refresh tokens, invite codes. */
export function randomToken(bytes = 32): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Random bytes as hex: record ids that need no secrecy, only uniqueness. */
export function randomHex(bytes = 8): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * SHA-256 as hex. Bearer secrets (refresh tokens, invite codes) are stored only as this
 * hash: they are long and random, so a plain hash suffices and a stolen store holds nothing
 * that can be presented.
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}
