import { MichatError } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../directory/directory.ts';
import { Mutex } from '../util/mutex.ts';
import { TtlCache } from '../util/ttl-cache.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import { authKeys } from './auth-keys.ts';
import type { AccessClaims } from './token-service.ts';

/** `d/uauth/<user>`: bumping the epoch signs out every device of the user at once. */
interface UserAuthState {
  epoch: number;
}

/** `d/devstate/<device>`: a device is signed in while not revoked and its epoch is not behind its user's. */
interface DeviceState {
  userId: number;
  epoch: number;
  revokedAt?: number;
}

/** What was signed out: every device of a user (but `exceptDeviceId`), or one device. */
export interface Revocation {
  userId: number;
  deviceId?: number;
  exceptDeviceId?: number;
}

export type RevocationListener = (r: Revocation, remote: boolean) => void;

interface UserView {
  orgId: number;
  epoch: number;
}

/**
 * Another node's revocation reaches this one within this long even without a bus (the
 * cache expires); with a bus, `invalidate` makes it immediate.
 */
export const CREDENTIAL_CACHE_TTL_MS = 30_000;

/**
 * Whether an access token's org, user and device still exist and are signed in, checked on
 * every verify (HTTP call, hello, auth frame, data frame) from an in-memory cache; and the
 * writes that sign devices out. Revocation is state, not a token list: a revoked device's
 * unexpired tokens are refused at once, and no refresh can bring it back.
 */
export class Revocations {
  private readonly kv: KvStore;
  private readonly clock: Clock;
  private readonly directory: Directory;
  private readonly users = new TtlCache<number, UserView>(CREDENTIAL_CACHE_TTL_MS);
  private readonly devices = new TtlCache<number, DeviceState>(CREDENTIAL_CACHE_TTL_MS);
  private readonly writes = new Mutex();
  private readonly listeners = new Set<RevocationListener>();
  /** Bumped by every invalidation: a load that started before one must not refill the cache. */
  private generation = 0;

  constructor(kv: KvStore, clock: Clock, directory: Directory) {
    this.kv = kv;
    this.clock = clock;
    this.directory = directory;
  }

  /** Throws Unauthorized unless the claims' org, user and device exist, belong together and are signed in. */
  async check(claims: Pick<AccessClaims, 'userId' | 'orgId' | 'deviceId'>): Promise<void> {
    const user = await this.userView(claims.userId);
    if (!user || user.orgId !== claims.orgId) throw new MichatError('Unauthorized', 'this account no longer exists');
    const device = await this.deviceView(claims.deviceId);
    if (!device || device.userId !== claims.userId) throw new MichatError('Unauthorized', 'this device no longer exists');
    if (device.revokedAt !== undefined || device.epoch < user.epoch) throw new MichatError('Unauthorized', 'this device was signed out; log in again');
  }

  /** Whether a device of `userId` is signed out (for device lists). */
  async isSignedOut(userId: number, deviceId: number): Promise<boolean> {
    const user = await this.userView(userId);
    const device = await this.deviceView(deviceId);
    return !user || !device || device.revokedAt !== undefined || device.epoch < user.epoch;
  }

  /** A new device starts in its user's current epoch, so an earlier "log out everywhere" leaves it alone. */
  async stampNewDevice(userId: number, deviceId: number): Promise<void> {
    await this.writes.run(async () => {
      const { epoch } = await this.readUserAuth(userId);
      await this.kv.put(authKeys.deviceState(deviceId), jsonBytes({ userId, epoch } satisfies DeviceState));
    });
  }

  /** Signs one device out for good. */
  async revokeDevice(userId: number, deviceId: number): Promise<void> {
    await this.writes.run(async () => {
      const state = await this.readDeviceState(deviceId, userId);
      if (state.revokedAt === undefined) await this.kv.put(authKeys.deviceState(deviceId), jsonBytes({ ...state, revokedAt: this.clock.now() }));
    });
    this.invalidate({ userId, deviceId });
  }

  /** Signs out every device of the user at once; `keepDeviceId` moves to the new epoch and stays signed in. */
  async revokeUser(userId: number, keepDeviceId?: number): Promise<void> {
    await this.writes.run(async () => {
      const epoch = (await this.readUserAuth(userId)).epoch + 1;
      if (keepDeviceId !== undefined) {
        // First, so the kept device is never behind its user, not even between the two writes.
        const kept = await this.readDeviceState(keepDeviceId, userId);
        await this.kv.put(authKeys.deviceState(keepDeviceId), jsonBytes({ ...kept, epoch }));
      }
      await this.kv.put(authKeys.userAuth(userId), jsonBytes({ epoch } satisfies UserAuthState));
    });
    this.invalidate({ userId, ...(keepDeviceId !== undefined ? { exceptDeviceId: keepDeviceId } : {}) });
  }

  /**
   * Drops cached state and tells listeners (the node closes the matching sockets). Local
   * revocations call it; cluster mode calls it (`remote`) with revocations made on other nodes.
   */
  invalidate(r: Revocation, remote = false): void {
    this.generation++;
    this.users.delete(r.userId);
    if (r.deviceId !== undefined) this.devices.delete(r.deviceId);
    if (r.exceptDeviceId !== undefined) this.devices.delete(r.exceptDeviceId);
    for (const listener of this.listeners) listener(r, remote);
  }

  /** Drops every cached credential (revocations made elsewhere may have gone unheard). */
  forgetAll(): void {
    this.generation++;
    this.users.clear();
    this.devices.clear();
  }

  /** Calls `listener` on every revocation, local or remote; returns the unsubscribe function. */
  onRevoked(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async userView(userId: number): Promise<UserView | undefined> {
    const cached = this.users.get(userId, this.clock.now());
    if (cached) return cached;
    const generation = this.generation;
    const user = await this.directory.user(userId);
    const org = user && (await this.directory.org(user.orgId));
    if (!user || !org) return undefined;
    const view = { orgId: user.orgId, epoch: (await this.readUserAuth(userId)).epoch };
    if (generation === this.generation) this.users.set(userId, view, this.clock.now());
    return view;
  }

  private async deviceView(deviceId: number): Promise<DeviceState | undefined> {
    const cached = this.devices.get(deviceId, this.clock.now());
    if (cached) return cached;
    const generation = this.generation;
    const device = await this.directory.device(deviceId);
    if (!device) return undefined;
    const state = await this.readDeviceState(deviceId, device.userId);
    // The directory's record says whose device it is; the state file only adds to it.
    const view = { ...state, userId: device.userId };
    if (generation === this.generation) this.devices.set(deviceId, view, this.clock.now());
    return view;
  }

  private async readUserAuth(userId: number): Promise<UserAuthState> {
    const raw = await this.kv.get(authKeys.userAuth(userId));
    return raw ? parseJsonBytes<UserAuthState>(raw) : { epoch: 0 };
  }

  /** Devices made before device state existed read as epoch 0, signed in. */
  private async readDeviceState(deviceId: number, userId: number): Promise<DeviceState> {
    const raw = await this.kv.get(authKeys.deviceState(deviceId));
    return raw ? parseJsonBytes<DeviceState>(raw) : { userId, epoch: 0 };
  }
}
