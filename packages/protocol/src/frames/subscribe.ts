import { z } from 'zod';
import { Bits, Bytes, NameBytes, RequestId, Vector } from './common.ts';

/**
 * Subscribe to a prefix (at least a whole channel, 72 bits): first every object the
 * `since` vector lacks, in `objs` frames, then `subok`, then live `obj` frames.
 */
export const Sub = z.object({ t: z.literal('sub'), id: RequestId, prefix: NameBytes, bits: Bits, since: Vector.optional() });

/** Stop a subscription made with request `sub`. */
export const Unsub = z.object({ t: z.literal('unsub'), id: RequestId, sub: RequestId });

/** Catch-up only (after a heartbeat shows the reader is behind): objs, then subok. */
export const Sync = z.object({ t: z.literal('sync'), id: RequestId, prefix: NameBytes, bits: Bits, since: Vector });

/** A batch of stored objects answering request `id` (sub, sync). */
export const Objs = z.object({ t: z.literal('objs'), id: RequestId, objs: z.array(Bytes) });

/**
 * End of catch-up for request `id`. `gap`: more than the catch-up bound was missing, so
 * none was sent; page history instead. Live delivery starts either way (for `sub`).
 */
export const SubOk = z.object({
  t: z.literal('subok'),
  id: RequestId,
  gap: z.object({ missing: z.number().int() }).optional(),
});

/** One live object. Encoded once and shared by every matching subscriber. */
export const Obj = z.object({ t: z.literal('obj'), obj: Bytes });
