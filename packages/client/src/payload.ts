import type { MichatObject } from '@michat/protocol';

/**
 * Payload conventions of michat clients. The server never reads payloads; these are what
 * clients agree on: UTF-8 JSON with a `type`. Anything else (another type, binary, an
 * encrypted payload) decodes as `unknown` so a client can show "unsupported message"
 * instead of failing.
 */
export type Payload = { type: 'text'; text: string } | { type: 'unknown' };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** `{"type":"text","text":…}` as UTF-8. */
export function encodeTextPayload(text: string): Uint8Array {
  return encoder.encode(JSON.stringify({ type: 'text', text }));
}

/** Reads a payload (or an object's payload). Never throws. */
export function decodePayload(source: Uint8Array | MichatObject): Payload {
  if (!(source instanceof Uint8Array) && source.keyEpoch !== 0) return { type: 'unknown' }; // encrypted
  const bytes = source instanceof Uint8Array ? source : source.payload;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return { type: 'unknown' };
  }
  if (value && typeof value === 'object' && 'type' in value && value.type === 'text' && 'text' in value && typeof value.text === 'string') {
    return { type: 'text', text: value.text };
  }
  return { type: 'unknown' };
}
