import { z } from 'zod';
import { Handle, Id } from './common.ts';

export const LoginRequest = z.object({ username: Handle, password: z.string().min(1).max(256), deviceName: z.string().max(64).optional() });
export const Session = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Access token expiry, ms since the epoch. */
  expiresAt: z.number(),
  userId: Id,
  username: Handle,
  orgId: Id,
  deviceId: Id,
});
export const RefreshRequest = z.object({ refreshToken: z.string().min(1).max(512) });
export const LogoutRequest = RefreshRequest;

export type LoginRequest = z.infer<typeof LoginRequest>;
export type Session = z.infer<typeof Session>;
