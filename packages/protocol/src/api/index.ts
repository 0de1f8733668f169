export * as api from './schemas.ts';
export type { ApiError } from './common.ts';
export type { Session, LoginRequest } from './auth.ts';
export type { TeamRole, Visibility, Org, Team, Channel, Member, DeviceInfo, Me } from './directory.ts';
