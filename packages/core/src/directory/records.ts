import type { ChannelKind, TeamRole } from '@michat/protocol';

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
  /** A relay account (`michat admin relay add`): trusted infrastructure of its org (see docs/access.md). */
  relay?: boolean;
}

export interface TeamRecord {
  id: number;
  orgId: number;
  name: string;
  created: number;
}

/** The reserved team id of direct messages: a DM's names read `kind | org | 0 | channel`. */
export const DIRECT_TEAM_ID = 0;

export interface ChannelRecord {
  id: number;
  /** DIRECT_TEAM_ID for direct messages. */
  teamId: number;
  orgId: number;
  name: string;
  visibility: ChannelKind;
  createdBy: number;
  created: number;
  topic?: string;
  /** Most members it may have; no limit when absent. */
  capacity?: number;
  /** Read-only: publishes are refused. */
  archived?: boolean;
  /** Direct messages: their fixed members (user ids, ascending). */
  people?: number[];
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

export interface JoinRequestRecord {
  state: 'pending' | 'refused';
  asked: number;
  decidedBy?: number;
}

export interface BanRecord {
  by: number;
  at: number;
}

/** Directory key layout. Ids are decimal; names are handles (lowercase, no '/'). */
export const dirKeys = {
  counter: (kind: string) => `d/ctr/${kind}`,
  /** Claimed (putIfAbsent) before an id is used: two nodes never hand out the same one. */
  idClaim: (kind: string, id: number) => `d/idc/${kind}/${id}`,
  org: (id: number) => `d/org/${id}`,
  orgName: (name: string) => `d/orgname/${name}`,
  user: (id: number) => `d/user/${id}`,
  users: () => 'd/user/',
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
  joinRequest: (channelId: number, userId: number) => `d/jr/${channelId}/${userId}`,
  joinRequests: (channelId: number) => `d/jr/${channelId}/`,
  ban: (channelId: number, userId: number) => `d/ban/${channelId}/${userId}`,
  bans: (channelId: number) => `d/ban/${channelId}/`,
  /** The one 1:1 direct message of a pair (lower user id first) → its channel id. */
  directPair: (a: number, b: number) => `d/dmpair/${Math.min(a, b)}/${Math.max(a, b)}`,
  userDirect: (userId: number, channelId: number) => `d/udm/${userId}/${channelId}`,
  userDirects: (userId: number) => `d/udm/${userId}/`,
  device: (id: number) => `d/dev/${id}`,
  userDevice: (userId: number, deviceId: number) => `d/ud/${userId}/${deviceId}`,
  session: (tokenHash: string) => `d/sess/${tokenHash}`,
  signingKey: () => 'd/keys/signing',
} as const;
