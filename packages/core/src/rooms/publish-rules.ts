import {
  CHANNEL_BITS,
  MAX_BACKDATE_MS,
  MAX_FUTURE_SKEW_MS,
  MichatError,
  isGroupLogName,
  matchesPrefix,
  nameDevice,
  nameSeq,
  type MichatObject,
  type Prefix,
} from '@michat/protocol';

export interface PublishCheck {
  obj: MichatObject;
  channel: Prefix;
  deviceId: number;
  now: number;
  maxFutureSkewMs?: number;
  maxBackdateMs?: number;
}

/**
 * The rules every publish must satisfy before it touches storage (authorization of the
 * channel itself is the caller's). Throws MichatError with the kind the client sees.
 */
export function checkPublish({ obj, channel, deviceId, now, maxFutureSkewMs = MAX_FUTURE_SKEW_MS, maxBackdateMs = MAX_BACKDATE_MS }: PublishCheck): void {
  checkPlacement(obj, channel);
  // The group log's Commits are written by whichever member moves the epoch: MLS signs them.
  if (!isGroupLogName(obj.name) && nameDevice(obj.name) !== deviceId) {
    throw new MichatError('Forbidden', `name carries device ${nameDevice(obj.name)}, but this connection is device ${deviceId}`);
  }
  if (obj.created > now + maxFutureSkewMs) {
    throw new MichatError('ClockSkew', `created is ${obj.created - now} ms ahead of the server clock (limit ${maxFutureSkewMs} ms)`);
  }
  if (obj.created < now - maxBackdateMs) {
    throw new MichatError('ClockSkew', `created is ${now - obj.created} ms behind the server clock (limit ${maxBackdateMs} ms)`);
  }
  checkUnexpired(obj, now);
}

/**
 * The rules for an object an org admin imports from a dump: it was stored once already, so
 * it keeps its device and its time (no clock window); it must still belong to the channel
 * and be unexpired.
 */
export function checkImport(obj: MichatObject, channel: Prefix, now: number): void {
  checkPlacement(obj, channel);
  checkUnexpired(obj, now);
}

/** The name (and thread root) lie in the channel, and the name is a real one (seq ≥ 1). */
function checkPlacement(obj: MichatObject, channel: Prefix): void {
  if (channel.bits !== CHANNEL_BITS || !matchesPrefix(obj.name, channel)) throw new MichatError('BadRequest', 'name is not in this channel');
  if (nameSeq(obj.name) === 0) throw new MichatError('BadRequest', 'sequence numbers start at 1');
  if (obj.threadRoot) {
    if (!matchesPrefix(obj.threadRoot, channel)) throw new MichatError('BadRequest', 'thread root is in another channel');
    if (obj.threadRoot.every((b, i) => b === obj.name[i])) throw new MichatError('BadRequest', 'an object cannot be its own thread root');
  }
}

function checkUnexpired(obj: MichatObject, now: number): void {
  if (obj.expires !== undefined && obj.expires <= now) throw new MichatError('Expired', 'the object has already expired');
}
