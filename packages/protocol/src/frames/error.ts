import { z } from 'zod';
import { ErrorKindSchema, RequestId } from './common.ts';

/** A typed error, answering request `id` when there is one. */
export const Err = z.object({
  t: z.literal('err'),
  id: RequestId.optional(),
  kind: ErrorKindSchema,
  msg: z.string(),
  retryAfterMs: z.number().int().min(0).optional(),
  serverTime: z.number().optional(),
});
