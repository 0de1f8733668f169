import { decode, encode } from '@msgpack/msgpack';
import { z } from 'zod';

/**
 * What the nodes of one deployment tell each other over the bus (MessagePack). Nothing on
 * the bus is the truth (the store is); a lost message only delays what heartbeats, version
 * vectors and cache expiry heal anyway. Every message names the node that sent it, so a
 * node ignores its own.
 */

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes');

/** On a channel's topic: an object stored there, or a presence/typing frame for its subscribers. */
export const RoomEvent = z.discriminatedUnion('k', [
  z.object({ k: z.literal('obj'), n: z.string(), b: bytes }),
  z.object({
    k: z.literal('frame'),
    n: z.string(),
    f: bytes,
    p: z.object({ user: z.string(), device: z.number().int(), status: z.enum(['active', 'away', 'gone']) }).optional(),
  }),
]);
export type RoomEvent = z.infer<typeof RoomEvent>;

/** On the control topic: something changed that other nodes hold in a cache or a socket. */
export const ControlEvent = z.discriminatedUnion('k', [
  // Devices signed out: drop cached credentials, close the matching sockets.
  z.object({ k: z.literal('revoked'), n: z.string(), userId: z.number().int(), deviceId: z.number().int().optional(), exceptDeviceId: z.number().int().optional() }),
  // A channel's record or its members changed: drop what is cached of it.
  z.object({ k: z.literal('channel'), n: z.string(), channelId: z.number().int(), members: z.boolean() }),
  // A user lost a channel: end their live subscriptions to it.
  z.object({ k: z.literal('removed'), n: z.string(), channelId: z.number().int(), userId: z.number().int() }),
  // The signing keys rotated: read them again.
  z.object({ k: z.literal('keys'), n: z.string() }),
  // The sender could not publish on the bus for a while: everybody re-reads rooms from the store.
  z.object({ k: z.literal('resync'), n: z.string() }),
]);
export type ControlEvent = z.infer<typeof ControlEvent>;

export const CONTROL_TOPIC = 'control';

export function encodeEvent(event: RoomEvent | ControlEvent): Uint8Array {
  return encode(event);
}

/** The event in `bytes`, or undefined when they are not one (logged by the caller). */
export function decodeEvent<T>(schema: z.ZodType<T>, bytes: Uint8Array): T | undefined {
  try {
    const parsed = schema.safeParse(decode(bytes));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
