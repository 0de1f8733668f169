import { Decoder, Encoder } from '@msgpack/msgpack';
import { MichatError } from './errors.ts';
import { ClientFrame, ServerFrame } from './frames/index.ts';
import { MAX_FRAME_BYTES, MAX_SERVER_FRAME_BYTES } from './limits.ts';

/**
 * Frames travel as binary WebSocket messages holding one MessagePack map each. Every
 * inbound frame is decoded and schema-checked here, at the boundary; nothing past it
 * sees unchecked input.
 */
const encoder = new Encoder({ ignoreUndefined: true });
const limitedDecoder = (maxBytes: number) =>
  new Decoder({ maxStrLength: maxBytes, maxBinLength: maxBytes, maxArrayLength: 200_000, maxMapLength: 64, maxExtLength: 0 });
const clientFrameDecoder = limitedDecoder(MAX_FRAME_BYTES);
const serverFrameDecoder = limitedDecoder(MAX_SERVER_FRAME_BYTES);

export type Decoded<T> = { ok: true; frame: T } | { ok: false; error: MichatError; id?: number };

/** Encodes a frame to bytes (one MessagePack map). */
export function encodeFrame(frame: ClientFrame | ServerFrame): Uint8Array {
  return encoder.encode(frame);
}

function decodeWith<T>(bytes: Uint8Array, maxBytes: number, decoder: Decoder, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }): Decoded<T> {
  if (bytes.length > maxBytes) {
    return { ok: false, error: new MichatError('TooLarge', `frame is ${bytes.length} bytes; the limit is ${maxBytes}`) };
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
  return decodeWith(bytes, MAX_FRAME_BYTES, clientFrameDecoder, ClientFrame);
}

/** Decodes and validates a server→client frame; never throws. */
export function decodeServerFrame(bytes: Uint8Array): Decoded<ServerFrame> {
  return decodeWith(bytes, MAX_SERVER_FRAME_BYTES, serverFrameDecoder, ServerFrame);
}
