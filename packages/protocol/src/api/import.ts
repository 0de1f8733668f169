import { z } from 'zod';
import { MAX_OBJECT_BYTES } from '../limits.ts';

/** Objects per import request: a dump is sent in batches of this many. */
export const MAX_IMPORT_OBJECTS = 200;

/**
 * `POST /api/channels/:channel/import` (org admins): stored objects of this channel, as
 * they were dumped (hex of each object's bytes), stored again under their own names.
 */
export const ImportObjects = z.object({
  objects: z
    .array(
      z
        .string()
        .max(MAX_OBJECT_BYTES * 2)
        .regex(/^([0-9a-f]{2})+$/, 'lowercase hex of an object'),
    )
    .min(1)
    .max(MAX_IMPORT_OBJECTS),
});
export type ImportObjects = z.infer<typeof ImportObjects>;

/** What an import did: newly stored, already there with the same bytes, and names that hold other bytes here. */
export const ImportResult = z.object({
  stored: z.number().int(),
  duplicates: z.number().int(),
  conflicts: z.array(z.string()),
});
export type ImportResult = z.infer<typeof ImportResult>;
