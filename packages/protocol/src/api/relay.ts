import { z } from 'zod';

/**
 * `GET /api/relay/channels/:prefix` (relay accounts): who may use a channel of the relay's
 * organization, so a relay can authorize its clients (and keep doing so offline).
 */
export const RelayChannel = z.object({
  channelId: z.number().int(),
  orgId: z.number().int(),
  teamId: z.number().int(),
  archived: z.boolean(),
  /** User ids of the current members, ascending. */
  members: z.array(z.number().int()),
});
export type RelayChannel = z.infer<typeof RelayChannel>;
