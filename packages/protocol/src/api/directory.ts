import { z } from 'zod';
import { Handle, Id, Password } from './common.ts';

export const TeamRole = z.enum(['owner', 'admin', 'member', 'guest']);
export const Visibility = z.enum(['public', 'private']);

export const Org = z.object({ id: Id, name: Handle });
export const Team = z.object({ id: Id, orgId: Id, name: Handle, role: TeamRole.optional() });
export const Channel = z.object({
  id: Id,
  teamId: Id,
  orgId: Id,
  name: Handle,
  visibility: Visibility,
  /** Hex form of the channel's 72-bit prefix: the first 18 hex digits of its names. */
  key: z.string(),
  member: z.boolean().optional(),
});
export const Member = z.object({ userId: Id, username: Handle, role: TeamRole });
export const DeviceInfo = z.object({ deviceId: Id, userId: Id, username: Handle });
export const Me = z.object({
  userId: Id,
  username: Handle,
  org: Org,
  orgAdmin: z.boolean(),
  deviceId: Id,
  teams: z.array(Team.extend({ channels: z.array(Channel) })),
});

export const CreateTeam = z.object({ name: Handle });
export const CreateChannel = z.object({ name: Handle, visibility: Visibility.default('public') });
export const CreateUser = z.object({ username: Handle, password: Password });
export const AddTeamMember = z.object({ username: Handle, role: TeamRole.default('member') });
export const AddChannelMember = z.object({ username: Handle });

export type TeamRole = z.infer<typeof TeamRole>;
export type Visibility = z.infer<typeof Visibility>;
export type Org = z.infer<typeof Org>;
export type Team = z.infer<typeof Team>;
export type Channel = z.infer<typeof Channel>;
export type Member = z.infer<typeof Member>;
export type DeviceInfo = z.infer<typeof DeviceInfo>;
export type Me = z.infer<typeof Me>;
