import { channelKey, isGroupLogName, nameDevice, nameSeq, positionToCursor, toHex, type ErrorKind, type MichatObject } from '@michat/protocol';
import { decodePayload, type Payload } from '../payload.ts';
import type { DeliveryState } from './message-view.ts';

/** What an object does in a channel view. */
export type EntryRole = 'message' | 'edit' | 'delete' | 'reaction' | 'read';

/** One object of the channel, decoded once, with what the view needs to index it. */
export interface TimelineEntry {
  hex: string;
  obj: MichatObject;
  position: string;
  device: number;
  seq: number;
  payload: Payload;
  role: EntryRole;
  /** The message an edit, delete or reaction is about (hex name, same channel). */
  target?: string;
  threadRoot?: string;
  /** Local id it had in this device's outbox, if it came from there. */
  localId?: string;
  /** Sealed for the channel's MLS group and opened here (the sender is the device that signed it). */
  e2ee: boolean;
  /** Why a sealed payload is not readable (yet): shown instead of the text. */
  sealed?: { state: 'pending' } | { state: 'failed'; reason: string };
  /** Set while it is only in the outbox (not stored by the server yet). */
  delivery?: { state: Exclude<DeliveryState, 'sent'>; error?: { kind: ErrorKind; message: string } };
}

/**
 * What a reader knows of a sealed payload: opened (with the plaintext), not yet, failed, or
 * forged (sealed by another device than its name says: never shown) or control (keys a
 * member shared, not a message). Plaintext objects
 * (key epoch 0) are read as they are.
 */
export type OpenedPayload = { state: 'encrypted'; payload: Uint8Array } | { state: 'pending' } | { state: 'failed'; reason: string } | { state: 'forged' } | { state: 'control' };
export type PayloadOpener = (obj: MichatObject, hex: string) => OpenedPayload | undefined;

/** Decodes an object of `channel`; undefined when it belongs elsewhere, names a foreign target, or is forged. */
export function toEntry(obj: MichatObject, channel: string, open?: PayloadOpener): TimelineEntry | undefined {
  if (channelKey(obj.name) !== channel || isGroupLogName(obj.name) || isKeyBundle(obj)) return undefined;
  const device = nameDevice(obj.name);
  const seq = nameSeq(obj.name);
  const hex = toHex(obj.name);
  let payload: Payload = decodePayload(obj);
  let sealed: TimelineEntry['sealed'];
  const e2ee = obj.keyEpoch !== 0;
  if (e2ee) {
    const opened = open?.(obj, hex) ?? { state: 'pending' as const };
    if (opened.state === 'forged' || opened.state === 'control') return undefined;
    if (opened.state === 'encrypted') payload = decodePayload(opened.payload);
    else sealed = opened;
  }
  const entry: TimelineEntry = {
    hex,
    obj,
    position: positionToCursor({ created: obj.created, device, seq }),
    device,
    seq,
    payload,
    role: 'message',
    e2ee: e2ee && !sealed,
    ...(sealed ? { sealed } : {}),
  };
  if (obj.threadRoot) entry.threadRoot = toHex(obj.threadRoot);
  const target = payload.type === 'text' ? payload.replaces : payload.type === 'delete' || payload.type === 'reaction' ? payload.target : undefined;
  if (target !== undefined) {
    // Targets live in the same channel: its key is the first 18 hex digits of every name in it.
    if (!target.startsWith(channel)) return undefined;
    entry.target = target;
    entry.role = payload.type === 'text' ? 'edit' : (payload.type as 'delete' | 'reaction');
  } else if (payload.type === 'read') {
    entry.role = 'read';
  }
  return entry;
}

const KEY_BUNDLE_START = new TextEncoder().encode('{"type":"history-keys"');

/** This device's own history-keys bundle while still unsealed in its outbox: not a message. */
function isKeyBundle(obj: MichatObject): boolean {
  return obj.keyEpoch === 0 && obj.payload.length >= KEY_BUNDLE_START.length && KEY_BUNDLE_START.every((b, i) => obj.payload[i] === b);
}
