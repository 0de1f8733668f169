import { Decoder, Encoder } from '@msgpack/msgpack';
import { MichatError } from './errors.ts';
import { ClientFrame, ServerFrame } from './frames/index.ts';
import { MAX_FRAME_BYTES } from './limits.ts';

/**
 * Frames travel as binary WebSocket messages holding one MessagePack map each. Every
 * inbound frame is decoded and schema-checked here, at the boundary; nothing past it
 * sees unchecked input.
 */
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder({
  maxStrLength: MAX_FRAME_BYTES,
  maxBinLength: MAX_FRAME_BYTES,
  maxArrayLength: 200_000,
  maxMapLength: 64,
  maxExtLength: 0,
});

export type Decoded<T> = { ok: true; frame: T } | { ok: false; error: MichatError; id?: number };

/** Encodes a frame to bytes (one MessagePack map). */
export function encodeFrame(frame: ClientFrame | ServerFrame): Uint8Array {
  return encoder.encode(frame);
}

function decodeWith<T>(bytes: Uint8Array, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }): Decoded<T> {
  if (bytes.length > MAX_FRAME_BYTES) {
    return { ok: false, error: new MichatError('TooLarge', `frame is ${bytes.length} bytes; the limit is ${MAX_FRAME_BYTES}`) };
  }
  let raw: unknown;
  try {
    raw = decoder.decode(bytes);
  } catch (e) {
    return { ok: false, error: new MichatError('BadFrame', `not a MessagePack frame: ${(e as Error).message}`) };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue ? issue.path.map(String).join('.') : '';
  const msg = issue ? `${where ? `${where}: ` : ''}${issue.message}` : 'invalid frame';
  const id = raw && typeof raw === 'object' && 'id' in raw && Number.isInteger((raw as { id: unknown }).id) ? ((raw as { id: number }).id) : undefined;
  return id !== undefined && id >= 0 && id <= 0xffffffff
    ? { ok: false, error: new MichatError('BadFrame', msg), id }
    : { ok: false, error: new MichatError('BadFrame', msg) };
}

/** Decodes and validates a client→server frame; never throws. */
export function decodeClientFrame(bytes: Uint8Array): Decoded<ClientFrame> {
  return decodeWith(bytes, ClientFrame);
}

/** Decodes and validates a server→client frame; never throws. */
export function decodeServerFrame(bytes: Uint8Array): Decoded<ServerFrame> {
  return decodeWith(bytes, ServerFrame);
}
