import { z } from 'zod';
import { CURSOR_PATTERN } from '../cursor.ts';
import { ERROR_KINDS } from '../errors.ts';
import { MAX_VECTOR_ENTRIES } from '../limits.ts';
import { MAX_DEVICE, MAX_SEQ, NAME_BYTES } from '../name.ts';

/** Request id chosen by the client, echoed in answers. */
export const RequestId = z.number().int().min(0).max(0xffffffff);
/** Raw bytes (MessagePack bin). Typed as plain Uint8Array so subarrays fit. */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
export const NameBytes = Bytes.refine((b) => b.length === NAME_BYTES, 'a name is 16 bytes');
export const Bits = z.number().int().min(0).max(128);
export const DeviceId = z.number().int().min(0).max(MAX_DEVICE);
export const Seq = z.number().int().min(0).max(MAX_SEQ);
/** Wire form of a version vector: contiguous high-water per device. */
export const Vector = z.array(z.tuple([DeviceId, Seq])).max(MAX_VECTOR_ENTRIES);
export const ErrorKindSchema = z.enum(ERROR_KINDS);
/** History cursor: opaque to clients (hex of created/device/seq). */
export const Cursor = z.string().regex(CURSOR_PATTERN, 'malformed cursor');
export const PresenceStatus = z.enum(['active', 'away']);
