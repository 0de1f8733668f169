export * as api from './schemas.ts';
export type { ApiError } from './common.ts';
export type { Session, LoginRequest } from './auth.ts';
export type { TeamRole, Visibility, ChannelKind, RequestState, Org, Team, Channel, Member, ChannelMember, JoinRequest, Ban, DeviceInfo, UserSummary, Me, UpdateChannel } from './directory.ts';
export { MAX_TOPIC_CHARS, MAX_CHANNEL_CAPACITY, MAX_DM_PEOPLE } from './directory.ts';
export type { RegisterRequest, ChangePasswordRequest, JwksResponse } from './auth.ts';
export type { SignedInDevice, SignedInDeviceList } from './devices.ts';
export type { CreateInviteRequest, Invite, CreatedInvite, InviteList } from './invites.ts';
