import { z } from 'zod';
import { CURSOR_PATTERN } from '../cursor.ts';
import { ERROR_KINDS } from '../errors.ts';
import { MAX_VECTOR_ENTRIES, MAX_VECTOR_RANGES, MAX_VECTOR_RANGES_PER_ENTRY } from '../limits.ts';
import { MAX_DEVICE, MAX_SEQ, NAME_BYTES } from '../name.ts';

/** Request id chosen by the client, echoed in answers. */
export const RequestId = z.number().int().min(0).max(0xffffffff);
/** Raw bytes (MessagePack bin). Typed as plain Uint8Array so subarrays fit. */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
export const NameBytes = Bytes.refine((b) => b.length === NAME_BYTES, 'a name is 16 bytes');
export const Bits = z.number().int().min(0).max(128);
export const DeviceId = z.number().int().min(0).max(MAX_DEVICE);
export const Seq = z.number().int().min(0).max(MAX_SEQ);
/** Seqs `from` through `to`, both held: 1 ≤ from ≤ to. */
const SeqRange = z.tuple([Seq.min(1), Seq]).refine(([from, to]) => from <= to, 'a range is [from, to] with from ≤ to');
/**
 * One device of a vector: `[device, contiguous]` (it holds 1..contiguous), or with the
 * intervals it holds above that: `[device, contiguous, ranges]` (never an empty list).
 */
const VectorEntry = z.union([z.tuple([DeviceId, Seq]), z.tuple([DeviceId, Seq, z.array(SeqRange).min(1).max(MAX_VECTOR_RANGES_PER_ENTRY)])]);
/** Wire form of a version vector (see vector.ts): one entry per device, sorted by device. */
export const Vector = z
  .array(VectorEntry)
  .max(MAX_VECTOR_ENTRIES)
  .refine((entries) => entries.reduce((n, e) => n + (e[2]?.length ?? 0), 0) <= MAX_VECTOR_RANGES, `at most ${MAX_VECTOR_RANGES} ranges in one vector`);
export const ErrorKindSchema = z.enum(ERROR_KINDS);
/** History cursor: opaque to clients (hex of created/device/seq). */
export const Cursor = z.string().regex(CURSOR_PATTERN, 'malformed cursor');
export const PresenceStatus = z.enum(['active', 'away']);
