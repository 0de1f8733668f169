import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import { authKeys } from './auth-keys.ts';
import { randomToken, sha256Hex } from './secrets.ts';

/** Refresh sessions last this long without use. */
export const REFRESH_TTL_MS = 30 * 24 * 3600_000;

export interface StoredSession {
  userId: number;
  deviceId: number;
  expiresAt: number;
  /** Absent on sessions stored before it was recorded. */
  created?: number;
}

/**
 * Refresh sessions: an opaque random token, stored only as its SHA-256 under `d/sess/`, and
 * indexed by user and device (`d/usess/<user>/<device>/<hash>`) so that logging out
 * everywhere or revoking a device can find them. The index may briefly name a session that
 * is gone (a refresh took it); deleting it again is harmless.
 */
export class SessionStore {
  private readonly kv: KvStore;
  private readonly clock: Clock;

  constructor(kv: KvStore, clock: Clock) {
    this.kv = kv;
    this.clock = clock;
  }

  /** A new session for the device; returns its refresh token (the only time it exists in clear). */
  async create(userId: number, deviceId: number): Promise<string> {
    const token = randomToken();
    const hash = await sha256Hex(token);
    const now = this.clock.now();
    const stored: StoredSession = { userId, deviceId, expiresAt: now + REFRESH_TTL_MS, created: now };
    // One atomic write for the session and its index entry.
    await this.kv.putIfAbsent(authKeys.session(hash), jsonBytes(stored), [[authKeys.sessionIndex(userId, deviceId, hash), new Uint8Array(0)]]);
    return token;
  }

  /** Removes the session and returns it (one caller wins each token), or undefined when unknown or expired. */
  async take(refreshToken: string): Promise<StoredSession | undefined> {
    const hash = await sha256Hex(refreshToken);
    const taken = await this.kv.take(authKeys.session(hash));
    if (!taken) return undefined;
    const session = parseJsonBytes<StoredSession>(taken);
    await this.kv.delete(authKeys.sessionIndex(session.userId, session.deviceId, hash));
    return session.expiresAt > this.clock.now() ? session : undefined;
  }

  /** Deletes every session of one device. */
  deleteDevice(userId: number, deviceId: number): Promise<number> {
    return this.deleteUnder(authKeys.deviceSessions(userId, deviceId));
  }

  /** Deletes every session of the user, but those of `exceptDeviceId`. */
  deleteUser(userId: number, exceptDeviceId?: number): Promise<number> {
    const keep = exceptDeviceId === undefined ? undefined : authKeys.deviceSessions(userId, exceptDeviceId);
    return this.deleteUnder(authKeys.userSessions(userId), keep);
  }

  private async deleteUnder(prefix: string, keepPrefix?: string): Promise<number> {
    let deleted = 0;
    for (const [key] of await this.kv.list(prefix)) {
      if (keepPrefix && key.startsWith(keepPrefix)) continue;
      const hash = key.slice(key.lastIndexOf('/') + 1);
      if (await this.kv.delete(authKeys.session(hash))) deleted++;
      await this.kv.delete(key);
    }
    return deleted;
  }
}
