import { MichatError } from '@michat/protocol';
import { KvUnavailableError, STORE_RETRY_AFTER_MS } from '../ports/kv-store.ts';

/**
 * The typed error an entry point answers with: a MichatError as it is; the store being
 * unreachable as `Unavailable` with a retry hint; anything else (a bug) as `Internal`.
 * `expected` is false only for that last case, which the caller logs.
 */
export function typedError(e: unknown): { error: MichatError; expected: boolean } {
  if (e instanceof MichatError) return { error: e, expected: true };
  if (e instanceof KvUnavailableError) {
    return { error: new MichatError('Unavailable', 'storage is unavailable; retry shortly', STORE_RETRY_AFTER_MS), expected: true };
  }
  return { error: new MichatError('Internal', 'internal error'), expected: false };
}
