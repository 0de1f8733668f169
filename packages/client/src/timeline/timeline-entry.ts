import { channelKey, nameDevice, nameSeq, positionToCursor, toHex, type ErrorKind, type MichatObject } from '@michat/protocol';
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
  /** Set while it is only in the outbox (not stored by the server yet). */
  delivery?: { state: Exclude<DeliveryState, 'sent'>; error?: { kind: ErrorKind; message: string } };
}

/** Decodes an object of `channel`; undefined when it belongs elsewhere or names a foreign target. */
export function toEntry(obj: MichatObject, channel: string): TimelineEntry | undefined {
  if (channelKey(obj.name) !== channel) return undefined;
  const device = nameDevice(obj.name);
  const seq = nameSeq(obj.name);
  const payload = decodePayload(obj);
  const entry: TimelineEntry = {
    hex: toHex(obj.name),
    obj,
    position: positionToCursor({ created: obj.created, device, seq }),
    device,
    seq,
    payload,
    role: 'message',
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
