import { z } from 'zod';
import { Id } from './common.ts';

/** A device a user signed in on (every login is one). */
export const SignedInDevice = z.object({
  deviceId: Id,
  name: z.string(),
  /** ms since the epoch. */
  created: z.number(),
  /** Last refresh or WebSocket hello (recorded at most once a minute), or `created`. */
  lastUsedAt: z.number(),
  /** False once signed out (logout, revoked, "log out everywhere", password change elsewhere). */
  signedIn: z.boolean(),
  /** The device of the token that asked. */
  current: z.boolean(),
  /** Its end-to-end encryption signature key (unpadded base64url), once registered. */
  signatureKey: z.string().nullable(),
  /** That key's fingerprint (see `deviceFingerprint`), once registered. */
  fingerprint: z.string().nullable(),
});
/** `GET /api/devices[?userId=]`. */
export const SignedInDeviceList = z.array(SignedInDevice);

export type SignedInDevice = z.infer<typeof SignedInDevice>;
export type SignedInDeviceList = z.infer<typeof SignedInDeviceList>;
