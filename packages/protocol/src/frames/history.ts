import { z } from 'zod';
import { Bytes, Cursor, NameBytes, RequestId } from './common.ts';
import { MAX_HISTORY_LIMIT } from '../limits.ts';

/**
 * A page of a channel's history (or of one thread when `thread` names its root), newest
 * first. `before`/`after` take cursors from earlier pages; `after` pages towards newer.
 */
export const HistReq = z.object({
  t: z.literal('hist'),
  id: RequestId,
  channel: NameBytes,
  thread: NameBytes.optional(),
  before: Cursor.optional(),
  after: Cursor.optional(),
  limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT),
});

/** The page: objects newest first; `next` continues in the same direction when `more`. */
export const HistPage = z.object({
  t: z.literal('page'),
  id: RequestId,
  objs: z.array(Bytes),
  more: z.boolean(),
  next: Cursor.optional(),
});
