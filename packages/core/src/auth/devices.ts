import { MichatError, type SignedInDevice } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../directory/directory.ts';
import { TtlCache } from '../util/ttl-cache.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import { authKeys } from './auth-keys.ts';
import type { Revocations } from './revocations.ts';
import type { SessionService } from './session-service.ts';
import type { AccessClaims } from './token-service.ts';

/** A device's last use is written at most this often (it is shown, never decided on). */
export const LAST_USE_WRITE_EVERY_MS = 60_000;

/** A device's end-to-end encryption key, if it registered one (kept by e2ee/, given by the node). */
export type DeviceKeyLookup = (deviceId: number) => Promise<{ signatureKey: string; fingerprint: string } | undefined>;

/** `d/devuse/<device>`. */
interface DeviceUse {
  at: number;
}

/**
 * The devices a user is signed in on: listing them with their last use, and signing one
 * (or all) out. A user manages their own devices; an org admin those of their org's users.
 */
export class Devices {
  private readonly kv: KvStore;
  private readonly clock: Clock;
  private readonly directory: Directory;
  private readonly revocations: Revocations;
  private readonly sessions: SessionService;
  private readonly keyOf: DeviceKeyLookup;
  /** Devices whose last use was written within the last minute. */
  private readonly recentlyWritten = new TtlCache<number, true>(LAST_USE_WRITE_EVERY_MS);

  constructor(deps: { kv: KvStore; clock: Clock; directory: Directory; revocations: Revocations; sessions: SessionService; keyOf: DeviceKeyLookup }) {
    this.kv = deps.kv;
    this.clock = deps.clock;
    this.directory = deps.directory;
    this.revocations = deps.revocations;
    this.sessions = deps.sessions;
    this.keyOf = deps.keyOf;
  }

  /** The device was used (a refresh, a hello). Best effort: a failed write only loses a timestamp. */
  used(deviceId: number): void {
    const now = this.clock.now();
    if (this.recentlyWritten.get(deviceId, now)) return;
    this.recentlyWritten.set(deviceId, true, now);
    this.kv.put(authKeys.deviceUse(deviceId), jsonBytes({ at: now } satisfies DeviceUse)).catch(() => this.recentlyWritten.delete(deviceId));
  }

  /** The devices of `userId` (default: the caller), oldest first. */
  async list(who: AccessClaims, userId = who.userId): Promise<SignedInDevice[]> {
    await this.requireManager(who, userId, 'Forbidden');
    return this.listOf(userId, who.deviceId);
  }

  /** The devices of `userId`, unchecked: for the operator's offline member tool. */
  async listOf(userId: number, currentDeviceId?: number): Promise<SignedInDevice[]> {
    const out: SignedInDevice[] = [];
    for (const [key] of await this.kv.list(authKeys.userDevices(userId))) {
      const device = await this.directory.device(Number(key.slice(key.lastIndexOf('/') + 1)));
      if (!device || device.userId !== userId) continue;
      const use = await this.kv.get(authKeys.deviceUse(device.id));
      const deviceKey = await this.keyOf(device.id);
      out.push({
        deviceId: device.id,
        name: device.name,
        created: device.created,
        lastUsedAt: use ? parseJsonBytes<DeviceUse>(use).at : device.created,
        signedIn: !(await this.revocations.isSignedOut(userId, device.id)),
        current: device.id === currentDeviceId,
        signatureKey: deviceKey?.signatureKey ?? null,
        fingerprint: deviceKey?.fingerprint ?? null,
      });
    }
    return out.sort((a, b) => a.deviceId - b.deviceId);
  }

  /** Signs a device out: the caller's own, or (org admin) one of their org's users'. */
  async revoke(who: AccessClaims, deviceId: number): Promise<void> {
    const device = await this.directory.device(deviceId);
    if (!device) throw new MichatError('NotFound', `no device ${deviceId}`);
    await this.requireManager(who, device.userId, 'NotFound');
    await this.sessions.revokeDevice(device.userId, device.id);
  }

  /** Signs out every device of a user: oneself, or (org admin) one of their org's users. */
  async revokeUser(who: AccessClaims, userId: number): Promise<void> {
    await this.requireManager(who, userId, 'NotFound');
    await this.sessions.logoutEverywhere(userId);
  }

  /** Users manage their own devices; org admins those of their org. Others get `refusal` (NotFound hides that a device exists). */
  private async requireManager(who: AccessClaims, userId: number, refusal: 'Forbidden' | 'NotFound'): Promise<void> {
    if (userId === who.userId) return;
    const [me, target] = [await this.directory.user(who.userId), await this.directory.user(userId)];
    if (me?.orgAdmin && target && target.orgId === me.orgId) return;
    throw refusal === 'NotFound' ? new MichatError('NotFound', 'no such device or user') : new MichatError('Forbidden', "only an organization admin can see another user's devices");
  }
}
