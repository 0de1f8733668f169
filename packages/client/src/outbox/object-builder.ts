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
import { fromBase64, toBase64 } from '../store/base64.ts';

/** Most bytes sealing adds to a payload (MLS framing, the envelope again, signature, tag). */
export const SEAL_OVERHEAD_BYTES = 512;

/**
 * Checks what the server would refuse before a sequence number is spent (a number taken and
 * never stored leaves a hole in the device's stream): size, expiry, thread root.
 */
export function checkPublishable(channel: Prefix, payload: Uint8Array, options: PublishOptions, now: number): void {
  encodeObject(envelope(channel, 1, 1, now, options), options.encrypt ? new Uint8Array(payload.length + SEAL_OVERHEAD_BYTES) : payload); // TooLarge
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

/** A new outbox entry for an encoded object (to be sealed first when `encrypt`). */
export function newEntry(localId: string, obj: MichatObject, queuedAt: number, encrypt = false): OutboxEntry {
  const entry: OutboxEntry = { localId, channel: channelKey(obj.name), name: toHex(obj.name), bytes: obj.bytes, queuedAt, state: 'pending' };
  return encrypt ? { ...entry, plain: toBase64(obj.payload), sealed: false } : entry;
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
  // A sealed payload is bound to its envelope: a new name means sealing the plaintext again.
  const obj = entry.plain !== undefined ? encodeObject({ ...env, keyEpoch: 0 }, fromBase64(entry.plain)) : encodeObject(env, old.payload);
  const { error: _, ...rest } = entry;
  return { ...rest, name: toHex(obj.name), bytes: obj.bytes, state: 'pending', ...(entry.plain !== undefined ? { sealed: false } : {}) };
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
