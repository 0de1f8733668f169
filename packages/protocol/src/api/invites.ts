import { z } from 'zod';
import { Id } from './common.ts';
import { TeamRole } from './directory.ts';

export const MAX_INVITE_USES = 1_000;
export const DEFAULT_INVITE_TTL_MS = 7 * 24 * 3600_000;
export const MAX_INVITE_TTL_MS = 30 * 24 * 3600_000;

/** `POST /api/invites`: an invite to the caller's org, optionally into a team with a role. */
export const CreateInviteRequest = z.object({
  teamId: Id.optional(),
  /** The role in `teamId` (default member); only a team owner may invite owners. */
  role: TeamRole.optional(),
  maxUses: z.number().int().min(1).max(MAX_INVITE_USES).default(1),
  expiresInMs: z.number().int().min(60_000).max(MAX_INVITE_TTL_MS).default(DEFAULT_INVITE_TTL_MS),
});
/** An invite as listed (the code is shown only once, when it is made). */
export const Invite = z.object({
  id: z.string(),
  orgId: Id,
  teamId: Id.optional(),
  role: TeamRole.optional(),
  createdBy: Id,
  created: z.number(),
  expiresAt: z.number(),
  maxUses: z.number().int(),
  uses: z.number().int(),
});
/** The answer to `POST /api/invites`: the code and a link to hand out. */
export const CreatedInvite = Invite.extend({ code: z.string(), link: z.string() });
/** `GET /api/invites[?teamId=]`. */
export const InviteList = z.array(Invite);

export type CreateInviteRequest = z.infer<typeof CreateInviteRequest>;
export type Invite = z.infer<typeof Invite>;
export type CreatedInvite = z.infer<typeof CreatedInvite>;
export type InviteList = z.infer<typeof InviteList>;
