import { z } from 'zod';
import { ERROR_KINDS } from '../errors.ts';

/** Names people type: teams, channels, users, orgs. */
export const Handle = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits, dot, dash and underscore, starting with a letter or digit');
export const Password = z.string().min(8, 'at least 8 characters').max(256);
export const Id = z.number().int().min(0);

/** Every failed HTTP call answers with this body (and `Retry-After` when retryable). */
export const ApiError = z.object({
  error: z.object({ kind: z.enum(ERROR_KINDS), message: z.string(), retryAfterMs: z.number().int().optional() }),
});
export type ApiError = z.infer<typeof ApiError>;
