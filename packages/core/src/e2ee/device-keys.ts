import { MichatError, fromBase64Url, toBase64Url, type DeviceKey, type MemberDevice } from '@michat/protocol';
import { authKeys } from '../auth/auth-keys.ts';
import type { Revocations } from '../auth/revocations.ts';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Directory } from '../directory/directory.ts';
import type { UserRecord } from '../directory/records.ts';
import { shareATeam } from '../directory/user-actions.ts';
import type { Clock } from '../ports/clock.ts';
import type { KvStore } from '../ports/kv-store.ts';
import type { DeviceKeyStore } from './device-key-store.ts';

/**
 * Device identity for end-to-end encryption: each device registers its signature key once,
 * and members look up the keys of the devices they encrypt to (a channel's, or one user's
 * to compare fingerprints). Only signed-in devices are listed: a signed-out device must
 * never be added to a group.
 */
export class DeviceKeys {
  private readonly kv: KvStore;
  private readonly clock: Clock;
  private readonly directory: Directory;
  private readonly revocations: Revocations;
  private readonly store: DeviceKeyStore;

  constructor(deps: { kv: KvStore; clock: Clock; directory: Directory; revocations: Revocations; store: DeviceKeyStore }) {
    this.kv = deps.kv;
    this.clock = deps.clock;
    this.directory = deps.directory;
    this.revocations = deps.revocations;
    this.store = deps.store;
  }

  /** Sets the caller's device's key: once; the same key again is a no-op, another one Conflict. */
  async register(who: AccessClaims, signatureKey: string): Promise<DeviceKey> {
    const bytes = fromBase64Url(signatureKey);
    if (!bytes) throw new MichatError('BadRequest', 'signatureKey: unpadded base64url');
    const { key } = await this.store.putIfAbsent(who.deviceId, bytes, this.clock.now());
    if (key.signatureKey !== toBase64Url(bytes)) {
      throw new MichatError('Conflict', 'this device already has another signature key; keys never change: sign in again for a new device');
    }
    return { deviceId: who.deviceId, ...key };
  }

  /** Every signed-in device of every member of a channel (DMs too): for its members, and for an org admin of its org (team channels). */
  async ofChannel(who: AccessClaims, channelId: number): Promise<MemberDevice[]> {
    const channel = await this.directory.channel(channelId);
    if (!channel) throw new MichatError('NotFound', `no channel ${channelId}`);
    if (!(await this.directory.channelMembership(channelId, who.userId))) {
      if (channel.visibility === 'direct') throw new MichatError('Forbidden', 'you are not in this direct message');
      const caller = await this.directory.user(who.userId);
      if (!caller?.orgAdmin || caller.orgId !== channel.orgId) throw new MichatError('Forbidden', 'you are not a member of this channel');
    }
    const out: MemberDevice[] = [];
    for (const userId of await this.directory.channelMemberIds(channelId)) {
      const user = await this.directory.user(userId);
      if (user) out.push(...(await this.signedInDevices(user)));
    }
    return out;
  }

  /** One user's signed-in devices, for someone who may reach them (NotFound otherwise, as if absent). */
  async ofUser(who: AccessClaims, userId: number): Promise<MemberDevice[]> {
    const user = await this.directory.user(userId);
    if (!user || !(await this.mayReach(who, user))) throw new MichatError('NotFound', `no user ${userId}`);
    return this.signedInDevices(user);
  }

  /**
   * Whose devices the caller may look up and claim KeyPackages of: users of their org, and
   * users they share a team with (teams may hold users of other orgs, as DMs may).
   */
  async mayReach(who: AccessClaims, owner: UserRecord): Promise<boolean> {
    return owner.id === who.userId || owner.orgId === who.orgId || shareATeam(this.directory, who.userId, owner.id);
  }

  /** Whether `deviceId` is a signed-in device of `userId`. */
  async isSignedIn(userId: number, deviceId: number): Promise<boolean> {
    return !(await this.revocations.isSignedOut(userId, deviceId));
  }

  /** The user's signed-in devices, by device id, each with its key (null until registered). */
  async signedInDevices(user: UserRecord): Promise<MemberDevice[]> {
    const out: MemberDevice[] = [];
    for (const [key] of await this.kv.list(authKeys.userDevices(user.id))) {
      const deviceId = Number(key.slice(key.lastIndexOf('/') + 1));
      const device = await this.directory.device(deviceId);
      if (device?.userId !== user.id || !(await this.isSignedIn(user.id, deviceId))) continue;
      const stored = await this.store.get(deviceId);
      out.push({ userId: user.id, username: user.username, deviceId, signatureKey: stored?.signatureKey ?? null, fingerprint: stored?.fingerprint ?? null });
    }
    return out.sort((a, b) => a.deviceId - b.deviceId);
  }
}
