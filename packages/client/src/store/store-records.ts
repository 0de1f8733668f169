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
} as const;

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
