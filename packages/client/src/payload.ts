import { CURSOR_PATTERN, type MichatObject } from '@michat/protocol';

/**
 * Payload conventions of michat clients. The server never reads payloads; these are what
 * clients agree on: UTF-8 JSON with a `type`. Objects are immutable, so an edit, a delete,
 * a reaction or a read pointer is a new object naming its target (the target's name as 32
 * hex digits, always in the same channel). Anything else (another type, binary, an
 * encrypted payload) decodes as `unknown`, so a client can show "unsupported message"
 * instead of failing.
 */
export type Payload = TextPayload | DeletePayload | ReactionPayload | ReadPayload | { type: 'unknown' };

/** A message, or (with `replaces`) a new version of an earlier message by the same sender. */
export interface TextPayload {
  type: 'text';
  /** The text; simple markdown is the UI's business. */
  text: string;
  /** User ids mentioned (the UI resolves `@name` to ids when composing). */
  mentions?: number[];
  /** Name (32 hex) of the message this edits: the original, never an earlier edit. */
  replaces?: string;
}

/** Tombstone: the target (a message of the same sender) is deleted. */
export interface DeletePayload {
  type: 'delete';
  target: string;
}

/** One user's reaction on a message; per (user, emoji) the latest object wins. */
export interface ReactionPayload {
  type: 'reaction';
  target: string;
  emoji: string;
  /** true adds the reaction, false takes it back. */
  on: boolean;
}

/** The reader has read everything up to and including this position (a history cursor). */
export interface ReadPayload {
  type: 'read';
  upTo: string;
}

/** Every payload an app may write. */
export type OutgoingPayload = Exclude<Payload, { type: 'unknown' }>;

/** Most user ids one message may mention. */
export const MAX_MENTIONS = 256;
/** Longest emoji (UTF-16 units): enough for ZWJ sequences, flags and skin tones. */
export const MAX_EMOJI_LENGTH = 32;

const HEX_NAME = /^[0-9a-f]{32}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** `{"type":"text","text":…}` as UTF-8, with mentions or `replaces` when given. */
export function encodeTextPayload(text: string, extra: { mentions?: readonly number[]; replaces?: string } = {}): Uint8Array {
  const payload: TextPayload = { type: 'text', text };
  if (extra.mentions?.length) payload.mentions = [...new Set(extra.mentions)];
  if (extra.replaces !== undefined) payload.replaces = extra.replaces;
  return encodePayload(payload);
}

/** Any payload as UTF-8 JSON. Throws TypeError for one `decodePayload` would read as unknown. */
export function encodePayload(payload: OutgoingPayload): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(payload));
  if (decodePayload(bytes).type === 'unknown') throw new TypeError(`not a valid ${payload.type} payload`);
  return bytes;
}

/** Reads a payload (or an object's payload). Never throws. */
export function decodePayload(source: Uint8Array | MichatObject): Payload {
  if (!(source instanceof Uint8Array) && source.keyEpoch !== 0) return UNKNOWN; // encrypted
  const bytes = source instanceof Uint8Array ? source : source.payload;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return UNKNOWN;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return UNKNOWN;
  return fromJson(value as Record<string, unknown>);
}

const UNKNOWN: Payload = Object.freeze({ type: 'unknown' });

function fromJson(o: Record<string, unknown>): Payload {
  switch (o.type) {
    case 'text': {
      if (typeof o.text !== 'string') return UNKNOWN;
      const out: TextPayload = { type: 'text', text: o.text };
      // A malformed `replaces` makes the intent unclear: better unknown than a stray message.
      if (o.replaces !== undefined) {
        if (!isHexName(o.replaces)) return UNKNOWN;
        out.replaces = o.replaces;
      }
      const mentions = readMentions(o.mentions);
      if (mentions.length) out.mentions = mentions;
      return out;
    }
    case 'delete':
      return isHexName(o.target) ? { type: 'delete', target: o.target } : UNKNOWN;
    case 'reaction':
      return isHexName(o.target) && isEmoji(o.emoji) && typeof o.on === 'boolean' ? { type: 'reaction', target: o.target, emoji: o.emoji, on: o.on } : UNKNOWN;
    case 'read':
      return typeof o.upTo === 'string' && CURSOR_PATTERN.test(o.upTo) ? { type: 'read', upTo: o.upTo } : UNKNOWN;
    default:
      return UNKNOWN;
  }
}

function isHexName(v: unknown): v is string {
  return typeof v === 'string' && HEX_NAME.test(v);
}

function isEmoji(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_EMOJI_LENGTH && !/\s/.test(v);
}

/** Valid user ids only, deduplicated, in their order; anything else in the list is ignored. */
function readMentions(v: unknown): number[] {
  if (!Array.isArray(v)) return [];
  const ids = new Set<number>();
  for (const id of v) if (Number.isSafeInteger(id) && (id as number) >= 0 && ids.size < MAX_MENTIONS) ids.add(id as number);
  return [...ids];
}
