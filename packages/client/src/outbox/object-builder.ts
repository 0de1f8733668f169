import {
  MichatError,
  channelKey,
  decodeObject,
  encodeObject,
  fromHex,
  makeName,
  matchesPrefix,
  nameFields,
  toHex,
  type MichatObject,
  type ObjectEnvelope,
  type Prefix,
} from '@michat/protocol';
import type { PublishOptions } from '../client-types.ts';
import type { OutboxEntry } from '../store/local-store.ts';

/**
 * Checks what the server would refuse before a sequence number is spent (a number taken and
 * never stored leaves a hole in the device's stream): size, expiry, thread root.
 */
export function checkPublishable(channel: Prefix, payload: Uint8Array, options: PublishOptions, now: number): void {
  encodeObject(envelope(channel, 1, 1, now, options), payload); // TooLarge
  if (options.expires !== undefined && options.expires <= now) throw new MichatError('Expired', 'expires is already past');
  if (options.threadRoot && !matchesPrefix(options.threadRoot, channel)) throw new MichatError('BadRequest', 'the thread root is in another channel');
}

export function envelope(channel: Prefix, device: number, seq: number, created: number, options: PublishOptions): ObjectEnvelope {
  return {
    name: makeName({ ...nameFields(channel.name), device, seq }),
    created: Math.round(created),
    keyEpoch: 0,
    ...(options.expires !== undefined ? { expires: options.expires } : {}),
    ...(options.threadRoot !== undefined ? { threadRoot: options.threadRoot } : {}),
  };
}

/** A new outbox entry for an encoded object. */
export function newEntry(localId: string, obj: MichatObject, queuedAt: number): OutboxEntry {
  return { localId, channel: channelKey(obj.name), name: toHex(obj.name), bytes: obj.bytes, queuedAt, state: 'pending' };
}

/**
 * The same message under another name (device, seq) and/or time: what a Conflict (the name
 * holds other bytes) or ClockSkew (the time is outside the server's window) calls for.
 */
export function reissue(entry: OutboxEntry, change: { device?: number; seq?: number; created?: number }): OutboxEntry {
  const old = decodeObject(entry.bytes);
  const fields = nameFields(old.name);
  const env: ObjectEnvelope = {
    name: makeName({ ...fields, device: change.device ?? fields.device, seq: change.seq ?? fields.seq }),
    created: Math.round(change.created ?? old.created),
    keyEpoch: old.keyEpoch,
    ...(old.expires !== undefined ? { expires: old.expires } : {}),
    ...(old.threadRoot !== undefined ? { threadRoot: old.threadRoot } : {}),
  };
  const obj = encodeObject(env, old.payload);
  const { error: _, ...rest } = entry;
  return { ...rest, name: toHex(obj.name), bytes: obj.bytes, state: 'pending' };
}

/** A fresh local id: 16 random hex digits. */
export function newLocalId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return toHex(bytes);
}

export function entryName(entry: OutboxEntry): Uint8Array {
  return fromHex(entry.name)!;
}
