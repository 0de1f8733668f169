import { z } from 'zod';
import { Bits, ErrorKindSchema, NameBytes, RequestId } from './common.ts';

/**
 * A typed error, answering request `id` when there is one. `prefix`/`bits` name the
 * subscription prefix it concerns (a failed heartbeat watch entry, sub or sync), so a client
 * can tell which subscription it is about even without an `id`.
 */
export const Err = z.object({
  t: z.literal('err'),
  id: RequestId.optional(),
  kind: ErrorKindSchema,
  msg: z.string(),
  retryAfterMs: z.number().int().min(0).optional(),
  serverTime: z.number().optional(),
  prefix: NameBytes.optional(),
  bits: Bits.optional(),
});
