import { MAX_HISTORY_LIMIT, MichatError, decodeObject, type Prefix, type ServerFrameOf } from '@michat/protocol';
import type { HistoryOptions, HistoryPage } from './client-types.ts';
import { errorOutcome, unexpected, type Job } from './request-queue.ts';

const DEFAULT_LIMIT = 50;

/** A `hist` request for one page (idempotent, so it may be resent after a reconnect). */
export function historyJob(channel: Prefix, options: HistoryOptions): Job<ServerFrameOf<'page'>> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) throw new MichatError('BadRequest', `limit must be 1..${MAX_HISTORY_LIMIT}`);
  return {
    frame: (id) => ({
      t: 'hist',
      id,
      channel: channel.name,
      limit,
      ...(options.thread !== undefined ? { thread: options.thread } : {}),
      ...(options.before !== undefined ? { before: options.before } : {}),
      ...(options.after !== undefined ? { after: options.after } : {}),
    }),
    answer: (frame, attempt) => (frame.t === 'page' ? { kind: 'done', value: frame } : frame.t === 'err' ? errorOutcome(frame, attempt) : unexpected(frame)),
  };
}

export function toHistoryPage(page: ServerFrameOf<'page'>): HistoryPage {
  return { objects: page.objs.map((bytes) => decodeObject(bytes)), more: page.more, ...(page.next !== undefined ? { next: page.next } : {}) };
}
