import { api } from '@michat/protocol';
import type { RouteDoc } from './openapi.ts';

/** The sign-in, device and invite routes, for the OpenAPI document (same schemas the handlers validate with). */
export const SIGN_IN_ROUTES: readonly RouteDoc[] = [
  { method: 'post', path: '/api/auth/login', tag: 'sign-in', auth: false, summary: 'Log in with a password: a new device and its session', body: api.LoginRequest, response: api.Session, errors: ['Unauthorized'] },
  {
    method: 'post',
    path: '/api/auth/register',
    tag: 'sign-in',
    auth: false,
    summary: 'Create an account with an invite code, signed in on a new device',
    body: api.RegisterRequest,
    response: api.Session,
    status: 201,
    errors: ['NotFound', 'Expired', 'Conflict'],
  },
  { method: 'post', path: '/api/auth/refresh', tag: 'sign-in', auth: false, summary: 'Exchange a refresh token (single-use) for a new session', body: api.RefreshRequest, response: api.Session, errors: ['Unauthorized'] },
  { method: 'post', path: '/api/auth/logout', tag: 'sign-in', auth: false, summary: 'End this session and sign its device out', body: api.LogoutRequest, status: 204 },
  { method: 'get', path: '/api/auth/jwks', tag: 'sign-in', auth: false, summary: 'Public keys that verify access tokens (also at /.well-known/jwks.json)', response: api.JwksResponse },
  { method: 'post', path: '/api/auth/logout-everywhere', tag: 'sign-in', auth: true, summary: 'Sign out every device of the caller', status: 204 },
  { method: 'post', path: '/api/auth/password', tag: 'sign-in', auth: true, summary: "Change the caller's password; their other devices are signed out", body: api.ChangePasswordRequest, status: 204 },
  { method: 'delete', path: '/api/users/:user/sessions', tag: 'sign-in', auth: true, summary: 'Sign out every device of a user (oneself, or an org admin)', status: 204, errors: ['NotFound'] },
  { method: 'get', path: '/api/devices', tag: 'devices', auth: true, summary: "The caller's devices (org admin: ?userId=) with last use", response: api.SignedInDeviceList },
  { method: 'delete', path: '/api/devices/:device', tag: 'devices', auth: true, summary: 'Sign a device out', status: 204, errors: ['NotFound'] },
  { method: 'post', path: '/api/invites', tag: 'invites', auth: true, summary: 'Invite into the org, or into a team with a role', body: api.CreateInviteRequest, response: api.CreatedInvite, status: 201, errors: ['NotFound'] },
  { method: 'get', path: '/api/invites', tag: 'invites', auth: true, summary: 'The invites the caller manages (?teamId=)', response: api.InviteList },
  { method: 'delete', path: '/api/invites/:invite', tag: 'invites', auth: true, summary: 'Revoke an invite', status: 204, stringParams: ['invite'], errors: ['NotFound'] },
];
