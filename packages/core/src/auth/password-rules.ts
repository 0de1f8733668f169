import { MichatError } from '@michat/protocol';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** A few of the most common passwords (NIST 800-63B asks to refuse known-bad ones). */
const COMMON = new Set([
  'password', 'password1', 'password123', '1234567890', '12345678910', 'qwertyuiop', '1q2w3e4r5t', 'iloveyou12',
  'letmein123', 'welcome123', 'passw0rd12', 'administrator', 'qwerty1234', 'abcdefghij', '0987654321', 'changeme123',
]);

/**
 * Password rules (NIST-style: length over composition): 10 to 256 characters, not a
 * well-known password, not the username, not one repeated character. Throws BadRequest.
 */
export function checkPassword(password: string, username: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw new MichatError('BadRequest', `password: at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_LENGTH) throw new MichatError('BadRequest', `password: at most ${MAX_PASSWORD_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) throw new MichatError('BadRequest', 'password: this is one of the most common passwords');
  if (lower.includes(username.toLowerCase())) throw new MichatError('BadRequest', 'password: must not contain the username');
  if (new Set(password).size === 1) throw new MichatError('BadRequest', 'password: must not be one repeated character');
}
