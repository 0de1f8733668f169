import type { DeviceInfo, Me, Session } from '@michat/protocol';
import type { LocalStore } from './local-store.ts';

/** The account this store belongs to: where to connect and the current session. */
export interface StoredProfile {
  serverUrl: string;
  session: Session;
}

/** What `me()` last answered, so the sidebar shows at once and offline. */
export interface StoredDirectory {
  me: Me;
  /** Local time it was fetched. */
  savedAt: number;
}

/**
 * Keys of the small records the client keeps. Values are plain JSON, so every adapter and
 * the export file hold them as they are.
 */
export const RecordKeys = {
  profile: 'profile',
  directory: 'directory',
  /** Who owns a device (never changes, so cached for good). */
  device: (deviceId: number) => `device/${deviceId}`,
  devicePrefix: 'device/',
  /** The local read mark of a channel: a position (cursor) this user has read up to. */
  read: (channel: string) => `read/${channel}`,
  readPrefix: 'read/',
  /**
   * This device's private keys: its signature key pair, the private halves of its KeyPackages
   * and its MLS group states (written by e2ee/device-keys.ts and e2ee/channel-group.ts). They
   * leave the device only inside a passphrase-encrypted export. (`e2ee/plain/`, the plaintext
   * of messages this device opened, is history, not a key.)
   */
  keyPrefixes: ['e2ee/identity/', 'e2ee/kp/', 'e2ee/group/'],
  /**
   * The fingerprint this client saw first for a device (trust on first use) and any other it
   * was shown since, and the fingerprints this user verified (e2ee/verification.ts). Public
   * fingerprints, not keys: every export carries them, and an import keeps what is here.
   */
  seen: (deviceId: number) => `e2ee/seen/${deviceId}`,
  seenPrefix: 'e2ee/seen/',
  verified: (deviceId: number) => `e2ee/verified/${deviceId}`,
  verifiedPrefix: 'e2ee/verified/',
} as const;

export function isKeyRecord(key: string): boolean {
  return RecordKeys.keyPrefixes.some((prefix) => key.startsWith(prefix));
}

export function loadProfile(store: LocalStore): Promise<StoredProfile | undefined> {
  return store.getRecord<StoredProfile>(RecordKeys.profile);
}

export function saveProfile(store: LocalStore, profile: StoredProfile): Promise<void> {
  return store.setRecord(RecordKeys.profile, profile);
}

export async function loadDeviceOwners(store: LocalStore): Promise<DeviceInfo[]> {
  return (await store.records(RecordKeys.devicePrefix)).map(([, v]) => v as DeviceInfo);
}

/** Subscription key of a whole channel (a 72-bit prefix). */
export function channelSubscriptionKey(channel: string): string {
  return `${channel}/72`;
}
