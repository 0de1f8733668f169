import { MichatError } from './errors.ts';
import { MAX_OBJECT_BYTES } from './limits.ts';
import { NAME_BYTES, type Name } from './name.ts';

/**
 * A named object: an envelope servers may read and a payload they never need to.
 *
 * Binary layout, format 1 (all integers big-endian):
 *
 *     0      u8   format (1)
 *     1      u8   flags: bit 0 expiry present, bit 1 thread root present; others zero
 *     2..17       name (16 bytes)
 *     18..23 u48  created, ms since the Unix epoch (sender's clock)
 *     24..27 u32  key epoch (0 = plaintext payload)
 *     [6]    u48  expiry, ms since the Unix epoch            (if flag bit 0)
 *     [16]        thread root name, same channel as the name  (if flag bit 1)
 *     rest        payload
 */
export const OBJECT_FORMAT = 1;
const FLAG_EXPIRY = 1;
const FLAG_THREAD = 2;
const FIXED_BYTES = 28;
const MAX_U48 = 2 ** 48 - 1;

export interface ObjectEnvelope {
  name: Name;
  created: number;
  keyEpoch: number;
  expires?: number;
  threadRoot?: Name;
}

export interface MichatObject extends ObjectEnvelope {
  payload: Uint8Array;
  /** The exact encoded bytes: what is stored, hashed, compared and forwarded. */
  bytes: Uint8Array;
}

function writeU48(view: DataView, at: number, v: number): void {
  view.setUint16(at, Math.floor(v / 2 ** 32));
  view.setUint32(at + 2, v >>> 0);
}

function readU48(view: DataView, at: number): number {
  return view.getUint16(at) * 2 ** 32 + view.getUint32(at + 2);
}

function checkU48(label: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_U48) throw new RangeError(`${label} must be a u48 integer`);
}

/** Encodes an object. Throws RangeError on fields out of range or MichatError(TooLarge). */
export function encodeObject(env: ObjectEnvelope, payload: Uint8Array): MichatObject {
  if (env.name.length !== NAME_BYTES) throw new RangeError('name must be 16 bytes');
  checkU48('created', env.created);
  if (!Number.isInteger(env.keyEpoch) || env.keyEpoch < 0 || env.keyEpoch > 0xffffffff) throw new RangeError('keyEpoch must be u32');
  if (env.expires !== undefined) checkU48('expires', env.expires);
  if (env.threadRoot !== undefined && env.threadRoot.length !== NAME_BYTES) throw new RangeError('threadRoot must be 16 bytes');
  const size = FIXED_BYTES + (env.expires !== undefined ? 6 : 0) + (env.threadRoot ? NAME_BYTES : 0) + payload.length;
  if (size > MAX_OBJECT_BYTES) throw new MichatError('TooLarge', `object is ${size} bytes; the limit is ${MAX_OBJECT_BYTES}`);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes[0] = OBJECT_FORMAT;
  bytes[1] = (env.expires !== undefined ? FLAG_EXPIRY : 0) | (env.threadRoot ? FLAG_THREAD : 0);
  bytes.set(env.name, 2);
  writeU48(view, 18, env.created);
  view.setUint32(24, env.keyEpoch);
  let at = FIXED_BYTES;
  if (env.expires !== undefined) {
    writeU48(view, at, env.expires);
    at += 6;
  }
  if (env.threadRoot) {
    bytes.set(env.threadRoot, at);
    at += NAME_BYTES;
  }
  bytes.set(payload, at);
  return decodeObject(bytes);
}

/** Decodes an object, copying nothing. Throws MichatError(BadFrame | TooLarge) on bad bytes. */
export function decodeObject(bytes: Uint8Array): MichatObject {
  if (bytes.length > MAX_OBJECT_BYTES) throw new MichatError('TooLarge', `object is ${bytes.length} bytes; the limit is ${MAX_OBJECT_BYTES}`);
  if (bytes.length < FIXED_BYTES) throw new MichatError('BadFrame', `object too short (${bytes.length} bytes)`);
  if (bytes[0] !== OBJECT_FORMAT) throw new MichatError('BadFrame', `unknown object format ${bytes[0]}`);
  const flags = bytes[1]!;
  if (flags & ~(FLAG_EXPIRY | FLAG_THREAD)) throw new MichatError('BadFrame', `unknown object flags ${flags}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const obj: MichatObject = {
    name: bytes.subarray(2, 18),
    created: readU48(view, 18),
    keyEpoch: view.getUint32(24),
    payload: bytes,
    bytes,
  };
  let at = FIXED_BYTES;
  if (flags & FLAG_EXPIRY) {
    if (bytes.length < at + 6) throw new MichatError('BadFrame', 'object truncated in expiry');
    obj.expires = readU48(view, at);
    at += 6;
  }
  if (flags & FLAG_THREAD) {
    if (bytes.length < at + NAME_BYTES) throw new MichatError('BadFrame', 'object truncated in thread root');
    obj.threadRoot = bytes.subarray(at, at + NAME_BYTES);
    at += NAME_BYTES;
  }
  obj.payload = bytes.subarray(at);
  return obj;
}

/** Reads just the name of an encoded object (hot path for routing). */
export function objectName(bytes: Uint8Array): Name {
  return bytes.subarray(2, 18);
}

/** True when an encoded object carries an expiry at or before `now` (no full decode). */
export function isExpiredAt(bytes: Uint8Array, now: number): boolean {
  if (!(bytes[1]! & FLAG_EXPIRY) || bytes.length < FIXED_BYTES + 6) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readU48(view, FIXED_BYTES) <= now;
}
