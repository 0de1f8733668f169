import { z } from 'zod';
import { Bits, DeviceId, NameBytes, PresenceStatus, Vector } from './common.ts';
import { MAX_WATCHED_CHANNELS } from '../limits.ts';

/**
 * Sent every random 3.5–7 s: presence and, for each watched prefix, the digest of the
 * reader's vector. The server answers with `vec` only where it holds something else.
 */
export const Hb = z.object({
  t: z.literal('hb'),
  status: PresenceStatus,
  watch: z
    .array(z.object({ prefix: NameBytes, bits: Bits, digest: z.string().regex(/^[0-9a-f]{16}$/) }))
    .max(MAX_WATCHED_CHANNELS),
});

/** The server's whole vector (ranges included) for a watched prefix whose digest differed. */
export const Vec = z.object({ t: z.literal('vec'), prefix: NameBytes, bits: Bits, vector: Vector });

/** Typing in a channel (ephemeral: never stored). */
export const Typing = z.object({ t: z.literal('typing'), channel: NameBytes });

/** Leave a channel's presence now instead of waiting for the TTL. */
export const Leave = z.object({ t: z.literal('leave'), channel: NameBytes });

const PresenceEntry = z.object({ user: z.string(), device: DeviceId, status: PresenceStatus });

/** Who is present in a channel: a full snapshot (`members`) or one change. */
export const Presence = z.object({
  t: z.literal('presence'),
  channel: NameBytes,
  members: z.array(PresenceEntry).optional(),
  change: z.object({ user: z.string(), device: DeviceId, status: z.enum(['active', 'away', 'gone']) }).optional(),
});

/** Someone is typing in a channel. */
export const TypingEvent = z.object({ t: z.literal('typing'), channel: NameBytes, user: z.string(), device: DeviceId });
