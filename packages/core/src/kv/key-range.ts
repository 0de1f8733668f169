import { KvLimitError, type KvListOptions } from '../ports/kv-store.ts';

/**
 * Greater than every valid key: keys are printable ASCII (0x20..0x7e), so any string that
 * starts with DEL (0x7f) sorts after all of them, in JS order and in SQLite's byte order.
 */
export const KEY_CEILING = '\x7f';

/** The half-open key interval [low, high) that a `list` call covers. */
export interface KeyRange {
  readonly low: string;
  readonly high: string;
}

/**
 * Resolves `list(prefix, options)` to one key interval, or undefined when nothing can match.
 * The prefix covers [prefix, prefixUpperBound(prefix)); `start`/`end` intersect with it.
 * Shared by every adapter so that all of them agree on the edge cases.
 */
export function listKeyRange(prefix: string, options: KvListOptions = {}): KeyRange | undefined {
  // Keys are printable ASCII, so a prefix with any other character matches none of them.
  if (!/^[\x20-\x7e]*$/.test(prefix)) return undefined;
  let low = prefix;
  let high = prefixUpperBound(prefix);
  if (options.start !== undefined && options.start > low) low = options.start;
  if (options.end !== undefined && options.end < high) high = options.end;
  return low < high ? { low, high } : undefined;
}

/**
 * The least string above every key that starts with `prefix`: the prefix with its last
 * character incremented ('a/1' -> 'a/2', so 'a/10' is inside but 'a/2' is not). Only valid
 * for printable-ASCII prefixes, where the increment never leaves 0x21..0x7f.
 */
export function prefixUpperBound(prefix: string): string {
  if (prefix.length === 0) return KEY_CEILING;
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * Checks a `limit` option: undefined means no limit; otherwise a non-negative safe integer.
 * Limit 0 is allowed and lists nothing.
 */
export function checkListLimit(limit: number | undefined): void {
  if (limit === undefined) return;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new KvLimitError(`KV list limit must be a non-negative integer, got ${limit}`);
  }
}
