import { z } from 'zod';
import { Bytes, NameBytes, RequestId } from './common.ts';

/** Publish one encoded object. Acknowledged only once it is durable. */
export const Pub = z.object({ t: z.literal('pub'), id: RequestId, obj: Bytes });

/** The object is durable. `dup`: it was already stored with the same bytes. */
export const Ack = z.object({ t: z.literal('ack'), id: RequestId, name: NameBytes, dup: z.boolean() });
