import type { TeamRole, Visibility } from '@michat/protocol';

/** Directory records as stored (JSON under `d/…`). */
export interface OrgRecord {
  id: number;
  name: string;
  created: number;
}

export interface UserRecord {
  id: number;
  orgId: number;
  username: string;
  passwordHash: string;
  orgAdmin: boolean;
  created: number;
}

export interface TeamRecord {
  id: number;
  orgId: number;
  name: string;
  created: number;
}

export interface ChannelRecord {
  id: number;
  teamId: number;
  orgId: number;
  name: string;
  visibility: Visibility;
  createdBy: number;
  created: number;
}

export interface DeviceRecord {
  id: number;
  userId: number;
  name: string;
  created: number;
}

export interface TeamMembership {
  role: TeamRole;
}

export interface ChannelMembership {
  owner: boolean;
}

/** Directory key layout. Ids are decimal; names are handles (lowercase, no '/'). */
export const dirKeys = {
  counter: (kind: string) => `d/ctr/${kind}`,
  org: (id: number) => `d/org/${id}`,
  orgName: (name: string) => `d/orgname/${name}`,
  user: (id: number) => `d/user/${id}`,
  userName: (name: string) => `d/username/${name}`,
  team: (id: number) => `d/team/${id}`,
  teamName: (orgId: number, name: string) => `d/teamname/${orgId}/${name}`,
  teamMember: (teamId: number, userId: number) => `d/tm/${teamId}/${userId}`,
  teamMembers: (teamId: number) => `d/tm/${teamId}/`,
  userTeam: (userId: number, teamId: number) => `d/ut/${userId}/${teamId}`,
  userTeams: (userId: number) => `d/ut/${userId}/`,
  channel: (id: number) => `d/chan/${id}`,
  channelName: (teamId: number, name: string) => `d/channame/${teamId}/${name}`,
  teamChannels: (teamId: number) => `d/tc/${teamId}/`,
  teamChannel: (teamId: number, channelId: number) => `d/tc/${teamId}/${channelId}`,
  channelMember: (channelId: number, userId: number) => `d/cm/${channelId}/${userId}`,
  channelMembers: (channelId: number) => `d/cm/${channelId}/`,
  device: (id: number) => `d/dev/${id}`,
  userDevice: (userId: number, deviceId: number) => `d/ud/${userId}/${deviceId}`,
  session: (tokenHash: string) => `d/sess/${tokenHash}`,
  signingKey: () => 'd/keys/signing',
} as const;
