import { BATCH_BYTES, MichatError, cursorToPosition, isExpiredAt, type Name } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import { nameFromIndex, objectKey, threadIndexPrefix, timeIndexPrefix } from '../keys.ts';

export interface HistoryRequest {
  thread?: Name;
  before?: string;
  after?: string;
  limit: number;
}

export interface HistoryPage {
  /** Encoded objects, newest first. */
  objs: Uint8Array[];
  /** More exist past `next` in the same direction. */
  more: boolean;
  next?: string;
}

const CURSOR_LENGTH = 26;

/**
 * A page of a channel's (or thread's) history from its time index, newest first.
 * `before` pages towards older objects, `after` towards newer ones; both exclusive.
 */
export async function readHistory(kv: KvStore, channel: Name, req: HistoryRequest, now: number): Promise<HistoryPage> {
  if (req.before && req.after) throw new MichatError('BadRequest', 'give before or after, not both');
  for (const c of [req.before, req.after]) if (c !== undefined && !cursorToPosition(c)) throw new MichatError('BadRequest', 'malformed cursor');
  const prefix = req.thread ? threadIndexPrefix(channel, req.thread) : timeIndexPrefix(channel);
  const towardsNewer = req.after !== undefined;
  const entries = await kv.list(prefix, {
    ...(req.before !== undefined ? { end: prefix + req.before } : {}),
    // Index keys all have one length, so "> after" is ">= after + ' '".
    ...(req.after !== undefined ? { start: `${prefix}${req.after} ` } : {}),
    reverse: !towardsNewer,
    limit: req.limit + 1,
  });
  const cursors = entries.slice(0, req.limit).map(([key]) => key.slice(-CURSOR_LENGTH));
  const stored = await Promise.all(cursors.map((c) => kv.get(objectKey(nameFromIndex(channel, c)))));
  // A page stops at `limit` objects or BATCH_BYTES, whichever comes first (at least one object).
  const objs: Uint8Array[] = [];
  let bytes = 0;
  let taken = 0;
  for (const obj of stored) {
    if (objs.length > 0 && obj && bytes + obj.length > BATCH_BYTES) break;
    taken++;
    if (obj && !isExpiredAt(obj, now)) {
      objs.push(obj);
      bytes += obj.length;
    }
  }
  const more = taken < cursors.length || entries.length > req.limit;
  if (towardsNewer) objs.reverse();
  const last = cursors[taken - 1];
  return last !== undefined ? { objs, more, next: last } : { objs, more };
}
