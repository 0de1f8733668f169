import { z } from 'zod';
import { Handle, Id, Password } from './common.ts';

/**
 * Directory API schemas: one named schema per request body and per response, so the server
 * validates with exactly what an OpenAPI document is generated from. Roles and who may call
 * what: docs/access.md.
 */

export const MAX_TOPIC_CHARS = 500;
export const MAX_CHANNEL_CAPACITY = 100_000;
/** People in one direct message, its creator included. */
export const MAX_DM_PEOPLE = 8;

export const TeamRole = z.enum(['owner', 'admin', 'member', 'guest']);
/** How a team channel is entered: `public` join, `private` added by a moderator, `restricted` ask and be accepted. */
export const Visibility = z.enum(['public', 'private', 'restricted']);
/** A listed channel's kind: a team channel's visibility, or `direct` for a direct message. */
export const ChannelKind = z.enum(['public', 'private', 'restricted', 'direct']);
/** A join request waits (`pending`) or was refused for good (`refused`); an accepted one is a membership. */
export const RequestState = z.enum(['pending', 'refused']);

export const Topic = z.string().max(MAX_TOPIC_CHARS);
export const Capacity = z.number().int().min(1).max(MAX_CHANNEL_CAPACITY);

// ---- views --------------------------------------------------------------------------

export const Org = z.object({ id: Id, name: Handle });
export const Team = z.object({ id: Id, orgId: Id, name: Handle, role: TeamRole.optional() });
export const Channel = z.object({
  id: Id,
  /** 0 for direct messages (the reserved "direct" team of their org). */
  teamId: Id,
  orgId: Id,
  name: Handle,
  visibility: ChannelKind,
  /** Hex form of the channel's 72-bit prefix: the first 18 hex digits of its names. */
  key: z.string(),
  topic: Topic.optional(),
  capacity: Capacity.optional(),
  /** Read-only: publishes are refused, history stays readable. */
  archived: z.boolean().optional(),
  /** Whether the caller is a member (on views made for a caller). */
  member: z.boolean().optional(),
  /** Whether the caller owns it. */
  owner: z.boolean().optional(),
  /** The caller's join request, on restricted channels. */
  request: RequestState.optional(),
  /** Direct messages: the usernames in it (fixed). */
  members: z.array(Handle).optional(),
});
export const ChannelList = z.array(Channel);
export const Member = z.object({ userId: Id, username: Handle, role: TeamRole });
export const MemberList = z.array(Member);
export const ChannelMember = z.object({ userId: Id, username: Handle, owner: z.boolean() });
export const ChannelMemberList = z.array(ChannelMember);
export const JoinRequest = z.object({
  channelId: Id,
  userId: Id,
  username: Handle,
  state: RequestState,
  /** When it was asked, ms since the epoch. */
  asked: z.number(),
  /** Who refused it. */
  decidedBy: Handle.optional(),
});
export const JoinRequestList = z.array(JoinRequest);
export const Ban = z.object({ userId: Id, username: Handle, bannedBy: Handle, at: z.number() });
export const BanList = z.array(Ban);
export const DeviceInfo = z.object({ deviceId: Id, userId: Id, username: Handle });
export const CreatedUser = z.object({ userId: Id, username: Handle });
/** People the caller may direct-message: their org, and everyone they share a team with. */
export const UserSummary = z.object({ userId: Id, username: Handle, orgId: Id });
export const UserList = z.array(UserSummary);
export const Me = z.object({
  userId: Id,
  username: Handle,
  org: Org,
  orgAdmin: z.boolean(),
  deviceId: Id,
  /** Teams with the channels the caller can see (member, requested and refused flags set). */
  teams: z.array(Team.extend({ channels: ChannelList })),
  /** Direct messages the caller is in. */
  dms: ChannelList,
});

// ---- request bodies -----------------------------------------------------------------

export const CreateUser = z.strictObject({ username: Handle, password: Password });
/** An org admin makes a team in their org, owned by `owner` (default: themselves). */
export const CreateTeam = z.strictObject({ name: Handle, owner: Handle.optional() });
export const AddTeamMember = z.strictObject({ username: Handle, role: TeamRole.default('member') });
export const ChangeTeamRole = z.strictObject({ role: TeamRole });
export const CreateChannel = z.strictObject({ name: Handle, visibility: Visibility.default('public'), topic: Topic.optional(), capacity: Capacity.optional() });
/** Changes a channel's settings; `null` clears topic or capacity. At least one field. */
export const UpdateChannel = z
  .strictObject({ topic: Topic.nullable().optional(), capacity: Capacity.nullable().optional(), archived: z.boolean().optional() })
  .refine((u) => Object.keys(u).length > 0, 'give topic, capacity or archived');
export const AddChannelMember = z.strictObject({ username: Handle });
/** The other people of a direct message (1 to 7; the caller is always in it). */
export const CreateDirectMessage = z.strictObject({ usernames: z.array(Handle).min(1).max(MAX_DM_PEOPLE - 1) });

export type TeamRole = z.infer<typeof TeamRole>;
export type Visibility = z.infer<typeof Visibility>;
export type ChannelKind = z.infer<typeof ChannelKind>;
export type RequestState = z.infer<typeof RequestState>;
export type Org = z.infer<typeof Org>;
export type Team = z.infer<typeof Team>;
export type Channel = z.infer<typeof Channel>;
export type Member = z.infer<typeof Member>;
export type ChannelMember = z.infer<typeof ChannelMember>;
export type JoinRequest = z.infer<typeof JoinRequest>;
export type Ban = z.infer<typeof Ban>;
export type DeviceInfo = z.infer<typeof DeviceInfo>;
export type UserSummary = z.infer<typeof UserSummary>;
export type Me = z.infer<typeof Me>;
export type UpdateChannel = z.infer<typeof UpdateChannel>;
