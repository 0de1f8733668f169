import { MichatError, type ServerFrameOf } from '@michat/protocol';
import { errorOutcome, unexpected, type Job } from '../request-queue.ts';

/** The server refused a publish for good; ClockSkew refusals carry the server's clock. */
export class PublishRefused extends MichatError {
  readonly serverTime: number | undefined;

  constructor(frame: ServerFrameOf<'err'>) {
    super(frame.kind, frame.msg, frame.retryAfterMs);
    this.serverTime = frame.serverTime;
  }
}

/**
 * One send of one outbox entry: the same bytes until acknowledged (so it is stored once),
 * retryable errors retried after the server's delay. A refusal ends the job; the outbox
 * decides (renumber after Conflict, re-stamp after ClockSkew, else fail).
 */
export function deliveryJob(bytes: Uint8Array): Job<{ dup: boolean }> {
  return {
    frame: (id) => ({ t: 'pub', id, obj: bytes }),
    answer(frame, attempt) {
      if (frame.t === 'ack') return { kind: 'done', value: { dup: frame.dup } };
      if (frame.t !== 'err') return unexpected(frame);
      const outcome = errorOutcome(frame, attempt);
      return outcome.kind === 'fail' ? { kind: 'fail', error: new PublishRefused(frame) } : outcome;
    },
  };
}
