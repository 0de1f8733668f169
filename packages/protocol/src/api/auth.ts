import { z } from 'zod';
import { Handle, Id } from './common.ts';

/** Passwords as sent; the server's rules (length, common passwords…) answer BadRequest. */
const PasswordInput = z.string().min(1).max(256);
const DeviceName = z.string().max(64);

export const LoginRequest = z.object({ username: Handle, password: PasswordInput, deviceName: DeviceName.optional() });
/** What login, registration and refresh answer. */
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
/** Ends the session of this refresh token and signs its device out. */
export const LogoutRequest = RefreshRequest;
/** Creates an account with an invite code (in the invite's org and team), signed in on a new device. */
export const RegisterRequest = z.object({ code: z.string().min(16).max(128), username: Handle, password: PasswordInput, deviceName: DeviceName.optional() });
/** Changes the caller's password; every other device of theirs is signed out. */
export const ChangePasswordRequest = z.object({ old: PasswordInput, new: PasswordInput });

/** One public signing key (RFC 7517, Ed25519). */
export const Jwk = z.looseObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') });
/** The keys that verify access tokens now: the current one and those rotated out whose tokens may still be alive. */
export const JwksResponse = z.object({ keys: z.array(Jwk) });

export type LoginRequest = z.infer<typeof LoginRequest>;
export type Session = z.infer<typeof Session>;
export type RegisterRequest = z.infer<typeof RegisterRequest>;
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;
export type JwksResponse = z.infer<typeof JwksResponse>;

/** First run: the first organization and its admin, allowed only while none exists. */
export const SetupRequest = z.object({ org: Handle, username: Handle, password: z.string().min(1).max(256) });
export const SetupStatus = z.object({ needed: z.boolean() });
export type SetupRequest = z.infer<typeof SetupRequest>;
