import { encodeObject, type MichatObject, type ObjectEnvelope } from '@michat/protocol';
import { errorOutcome, unexpected, type Job } from './request-queue.ts';

export interface PublishResult {
  /** The object as stored (its `created` may have been re-stamped after a ClockSkew). */
  object: MichatObject;
  /** The server already held these bytes (an earlier send got through; its ack was lost). */
  dup: boolean;
}

/**
 * One publish: the same bytes are sent until acknowledged, so a retry can never store a
 * second copy. The single exception is ClockSkew: the server refused the object before
 * storing it, so it is re-stamped once with the server's time under the same name.
 */
export function publishJob(initial: MichatObject, learnServerTime: (serverTime: number) => void): Job<PublishResult> {
  let obj = initial;
  let restamped = false;
  return {
    frame: (id) => ({ t: 'pub', id, obj: obj.bytes }),
    answer(frame, attempt) {
      if (frame.t === 'ack') return { kind: 'done', value: { object: obj, dup: frame.dup } };
      if (frame.t !== 'err') return unexpected(frame);
      if (frame.kind === 'ClockSkew' && !restamped && frame.serverTime !== undefined) {
        restamped = true;
        learnServerTime(frame.serverTime);
        obj = restamp(obj, frame.serverTime);
        return { kind: 'retry', afterMs: 0 };
      }
      return errorOutcome(frame, attempt);
    },
  };
}

function restamp(obj: MichatObject, created: number): MichatObject {
  const env: ObjectEnvelope = {
    name: obj.name,
    created: Math.round(created),
    keyEpoch: obj.keyEpoch,
    ...(obj.expires !== undefined ? { expires: obj.expires } : {}),
    ...(obj.threadRoot !== undefined ? { threadRoot: obj.threadRoot } : {}),
  };
  return encodeObject(env, obj.payload);
}
