import { dirKeys } from '../directory/records.ts';

/**
 * Storage keys of sign-in state, beside the directory's records under `d/` (ids decimal,
 * hashes hex, every list prefix ends in '/' so `…/1/` never matches `…/10/`):
 *
 *     d/keys/v/<version 10 digits>         → the signing key set, one value per version
 *     d/sess/<sha256>                      → a refresh session (the token itself is never stored)
 *     d/usess/<user>/<device>/<sha256>     → empty: the sessions of a user, of a device
 *     d/uauth/<user>                       → the user's sign-in epoch (bumped by "log out everywhere")
 *     d/devstate/<device>                  → a device's epoch and revocation
 *     d/devuse/<device>                    → a device's last use (written at most once a minute)
 *     d/pw/<user>                          → a password changed after the account was made
 *     d/inv/<org>/<invite>                 → an invite; d/invcode/<sha256> → "<org>/<invite>"
 *     d/invuse/<invite>/<n>                → empty: use n of an invite (claimed with putIfAbsent)
 */
export const authKeys = {
  keySet: (version: number) => `d/keys/v/${String(version).padStart(10, '0')}`,
  keySets: () => 'd/keys/v/',
  /** The single signing key of earlier versions, migrated into the key set on first load. */
  legacySigningKey: () => dirKeys.signingKey(),
  session: (tokenHash: string) => dirKeys.session(tokenHash),
  sessionIndex: (userId: number, deviceId: number, tokenHash: string) => `d/usess/${userId}/${deviceId}/${tokenHash}`,
  userSessions: (userId: number) => `d/usess/${userId}/`,
  deviceSessions: (userId: number, deviceId: number) => `d/usess/${userId}/${deviceId}/`,
  userAuth: (userId: number) => `d/uauth/${userId}`,
  deviceState: (deviceId: number) => `d/devstate/${deviceId}`,
  deviceUse: (deviceId: number) => `d/devuse/${deviceId}`,
  password: (userId: number) => `d/pw/${userId}`,
  /** The directory's index of a user's devices (`d/ud/<user>/<device>`), read only here. */
  userDevices: (userId: number) => `d/ud/${userId}/`,
  invite: (orgId: number, inviteId: string) => `d/inv/${orgId}/${inviteId}`,
  orgInvites: (orgId: number) => `d/inv/${orgId}/`,
  inviteCode: (codeHash: string) => `d/invcode/${codeHash}`,
  inviteUse: (inviteId: string, n: number) => `d/invuse/${inviteId}/${n}`,
  inviteUses: (inviteId: string) => `d/invuse/${inviteId}/`,
} as const;
