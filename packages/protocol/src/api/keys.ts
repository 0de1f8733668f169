import { z } from 'zod';
import { BASE64URL_PATTERN, base64UrlLength } from '../base64url.ts';
import { Id } from './common.ts';

/** Bytes of an Ed25519 public key (a device's MLS signature key). */
export const SIGNATURE_KEY_BYTES = 32;
/** Largest KeyPackage accepted, decoded. */
export const MAX_KEY_PACKAGE_BYTES = 4096;
/** KeyPackages per upload. */
export const MAX_KEY_PACKAGES_PER_UPLOAD = 100;
/** One-time KeyPackages a device may hold on the server at once. */
export const MAX_KEY_PACKAGE_STOCK = 200;
/** Devices per claim. */
export const MAX_CLAIM_DEVICES = 100;

/**
 * Opaque bytes as unpadded base64url, `min`..`max` bytes once decoded. The server never
 * parses what is inside (MLS, RFC 9420: the clients do).
 */
export function base64UrlBytes(min: number, max: number) {
  const [shortest, longest] = [base64UrlLength(min), base64UrlLength(max)];
  return z
    .string()
    .regex(BASE64URL_PATTERN, 'unpadded base64url')
    .refine((s) => s.length >= shortest && s.length <= longest && s.length % 4 !== 1, min === max ? `${min} bytes as unpadded base64url` : `${min} to ${max} bytes as unpadded base64url`);
}

export const SignatureKey = base64UrlBytes(SIGNATURE_KEY_BYTES, SIGNATURE_KEY_BYTES);
export const KeyPackageBytes = base64UrlBytes(1, MAX_KEY_PACKAGE_BYTES);

/** `PUT /api/devices/current/key`: the caller's device's signature key, set once. */
export const RegisterDeviceKey = z.strictObject({ signatureKey: SignatureKey });
export type RegisterDeviceKey = z.infer<typeof RegisterDeviceKey>;

/** A device's registered key and its fingerprint (see `deviceFingerprint`). */
export const DeviceKey = z.object({
  deviceId: Id,
  signatureKey: z.string(),
  /** 60 digits in 12 groups of 5: what people compare to verify the device. */
  fingerprint: z.string(),
});
export type DeviceKey = z.infer<typeof DeviceKey>;

/** A signed-in device and its key, null until the device registers one. */
export const MemberDevice = z.object({
  userId: Id,
  username: z.string(),
  deviceId: Id,
  signatureKey: z.string().nullable(),
  fingerprint: z.string().nullable(),
});
export type MemberDevice = z.infer<typeof MemberDevice>;

/** `GET /api/channels/:channel/devices`, `GET /api/users/:user/devices/keys`. */
export const MemberDeviceList = z.object({ devices: z.array(MemberDevice) });
export type MemberDeviceList = z.infer<typeof MemberDeviceList>;

/** `POST /api/keypackages`: one-time KeyPackages to add, and the last resort to replace. */
export const UploadKeyPackages = z.strictObject({
  keyPackages: z.array(KeyPackageBytes).max(MAX_KEY_PACKAGES_PER_UPLOAD),
  /** Handed out when the one-time ones run out, and never deleted by a claim. */
  lastResort: KeyPackageBytes.optional(),
});
export type UploadKeyPackages = z.infer<typeof UploadKeyPackages>;

/** `POST /api/keypackages`: how many one-time KeyPackages the caller's device now has on the server. */
export const UploadedKeyPackages = z.object({ stock: z.number().int().min(0) });
export type UploadedKeyPackages = z.infer<typeof UploadedKeyPackages>;

/** `GET /api/keypackages/stock`. */
export const KeyPackageStock = z.object({ stock: z.number().int().min(0), lastResort: z.boolean() });
export type KeyPackageStock = z.infer<typeof KeyPackageStock>;

/** `POST /api/keypackages/claim`: one KeyPackage of each device (ids unique). */
export const ClaimKeyPackages = z.strictObject({
  devices: z
    .array(Id)
    .min(1)
    .max(MAX_CLAIM_DEVICES)
    .refine((ids) => new Set(ids).size === ids.length, 'device ids must be unique'),
});
export type ClaimKeyPackages = z.infer<typeof ClaimKeyPackages>;

export const ClaimedKeyPackage = z.object({
  deviceId: Id,
  keyPackage: z.string(),
  /** The device's last resort (it had no one-time KeyPackage left): it may be handed out again. */
  lastResort: z.boolean(),
});
export type ClaimedKeyPackage = z.infer<typeof ClaimedKeyPackage>;

/** Devices with nothing to hand out, or that the caller may not claim from, are left out. */
export const ClaimedKeyPackages = z.object({ keyPackages: z.array(ClaimedKeyPackage) });
export type ClaimedKeyPackages = z.infer<typeof ClaimedKeyPackages>;
