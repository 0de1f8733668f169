import {
  MAX_KEY_PACKAGE_STOCK,
  MichatError,
  fromBase64Url,
  toBase64Url,
  type ClaimedKeyPackage,
  type KeyPackageStock,
  type UploadKeyPackages,
} from '@michat/protocol';
import { authKeys } from '../auth/auth-keys.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import type { Revocation } from '../auth/revocations.ts';
import { randomHex } from '../auth/secrets.ts';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Directory } from '../directory/directory.ts';
import type { KvEntry, KvStore } from '../ports/kv-store.ts';
import { KeyedMutex } from '../util/mutex.ts';
import type { DeviceKeyStore } from './device-key-store.ts';
import type { DeviceKeys } from './device-keys.ts';
import { e2eeKeys } from './e2ee-keys.ts';

/** One-time KeyPackages looked at per round of a claim; a random starting point spreads concurrent claimers over them. */
const CLAIM_CANDIDATES = 8;

/**
 * MLS KeyPackages (opaque bytes) that devices leave on the server so others can add them to
 * groups while they are offline. Each one-time KeyPackage is its own key and is handed out
 * by the KV port's `take`, so it goes to exactly one claimer, on any node of a cluster. A
 * device's last resort is handed out when its one-time ones run out, and never deleted by
 * a claim. Nothing of a signed-out device is handed out.
 */
export class KeyPackages {
  private readonly kv: KvStore;
  private readonly directory: Directory;
  private readonly keys: DeviceKeyStore;
  private readonly devices: DeviceKeys;
  private readonly limits: RateLimits;
  /** Uploads of one device on this node, one at a time, so the stock bound holds (two nodes uploading for one device at once could pass it). */
  private readonly uploads = new KeyedMutex<number>();

  constructor(deps: { kv: KvStore; directory: Directory; keys: DeviceKeyStore; devices: DeviceKeys; limits: RateLimits }) {
    this.kv = deps.kv;
    this.directory = deps.directory;
    this.keys = deps.keys;
    this.devices = deps.devices;
    this.limits = deps.limits;
  }

  /**
   * Adds the caller's device's one-time KeyPackages and replaces its last resort, all in one
   * atomic write: past MAX_KEY_PACKAGE_STOCK nothing is stored. Returns the new stock.
   */
  async upload(who: AccessClaims, req: UploadKeyPackages): Promise<number> {
    const oneTime = req.keyPackages.map((kp, i) => decode(kp, `keyPackages.${i}`));
    const lastResort = req.lastResort === undefined ? undefined : decode(req.lastResort, 'lastResort');
    return this.uploads.run(who.deviceId, async () => {
      if (!(await this.keys.get(who.deviceId))) throw new MichatError('Conflict', 'register this device\'s signature key first (PUT /api/devices/current/key)');
      const stock = await this.count(who.deviceId);
      if (stock + oneTime.length > MAX_KEY_PACKAGE_STOCK) {
        throw new MichatError('BadRequest', `a device holds at most ${MAX_KEY_PACKAGE_STOCK} one-time KeyPackages; this one has ${stock}, so ${MAX_KEY_PACKAGE_STOCK - stock} more fit`);
      }
      const last: KvEntry[] = lastResort ? [[e2eeKeys.lastResort(who.deviceId), lastResort]] : [];
      if (oneTime.length === 0) {
        if (lastResort) await this.kv.put(e2eeKeys.lastResort(who.deviceId), lastResort);
        return stock;
      }
      // Random ids: a collision (2^-64) only makes putIfAbsent write nothing, and we try again.
      for (;;) {
        const [first, ...rest] = oneTime.map((bytes): KvEntry => [e2eeKeys.keyPackage(who.deviceId, randomHex(8)), bytes]);
        if (!(await this.kv.putIfAbsent(first![0], first![1], [...rest, ...last]))) return stock + oneTime.length;
      }
    });
  }

  async stock(who: AccessClaims): Promise<KeyPackageStock> {
    return { stock: await this.count(who.deviceId), lastResort: (await this.kv.get(e2eeKeys.lastResort(who.deviceId))) !== undefined };
  }

  /**
   * One KeyPackage of each listed device, in the order asked: a one-time one if any is left,
   * else its last resort. Left out, without saying why (nothing leaks): devices with neither,
   * unknown ones, signed-out ones, and those of users the caller may not reach.
   */
  async claim(who: AccessClaims, deviceIds: readonly number[]): Promise<ClaimedKeyPackage[]> {
    this.limits.claimKeyPackages(who.userId, deviceIds.length);
    const reach = new Map<number, Promise<boolean>>();
    const claimed = await Promise.all(
      deviceIds.map(async (deviceId): Promise<ClaimedKeyPackage | undefined> => {
        const device = await this.directory.device(deviceId);
        const owner = device && (await this.directory.user(device.userId));
        if (!device || !owner) return undefined;
        if (!reach.has(owner.id)) reach.set(owner.id, this.devices.mayReach(who, owner));
        if (!(await reach.get(owner.id)) || !(await this.devices.isSignedIn(owner.id, deviceId))) return undefined;
        return this.takeOne(deviceId);
      }),
    );
    return claimed.filter((c) => c !== undefined);
  }

  /** Deletes what signed-out devices left here (best effort: claims refuse them anyway). */
  async forgetRevoked(r: Revocation): Promise<void> {
    if (r.deviceId !== undefined) return this.forget(r.deviceId);
    for (const [key] of await this.kv.list(authKeys.userDevices(r.userId))) {
      const deviceId = Number(key.slice(key.lastIndexOf('/') + 1));
      if (deviceId !== r.exceptDeviceId) await this.forget(deviceId);
    }
  }

  /** Deletes a device's one-time KeyPackages and last resort. */
  async forget(deviceId: number): Promise<void> {
    for (const [key] of await this.kv.list(e2eeKeys.keyPackages(deviceId))) await this.kv.delete(key);
    await this.kv.delete(e2eeKeys.lastResort(deviceId));
  }

  /**
   * Takes one one-time KeyPackage of the device, or answers its last resort. A round lists a
   * few candidates from a random point and takes them in turn; `take` gives each key to one
   * caller only, so if others won every candidate, they are gone and the next round lists
   * what is left. Ends: each round either wins one or sees others take every one it saw.
   */
  private async takeOne(deviceId: number): Promise<ClaimedKeyPackage | undefined> {
    const prefix = e2eeKeys.keyPackages(deviceId);
    for (;;) {
      const pivot = prefix + randomHex(8);
      const after = await this.kv.list(prefix, { start: pivot, limit: CLAIM_CANDIDATES });
      const before = after.length < CLAIM_CANDIDATES ? await this.kv.list(prefix, { end: pivot, limit: CLAIM_CANDIDATES - after.length }) : [];
      const candidates = [...after, ...before];
      if (candidates.length === 0) break;
      for (const [key] of candidates) {
        const taken = await this.kv.take(key);
        if (taken) return { deviceId, keyPackage: toBase64Url(taken), lastResort: false };
      }
    }
    const lastResort = await this.kv.get(e2eeKeys.lastResort(deviceId));
    return lastResort ? { deviceId, keyPackage: toBase64Url(lastResort), lastResort: true } : undefined;
  }

  private async count(deviceId: number): Promise<number> {
    return (await this.kv.list(e2eeKeys.keyPackages(deviceId))).length;
  }
}

function decode(text: string, field: string): Uint8Array {
  const bytes = fromBase64Url(text);
  if (!bytes) throw new MichatError('BadRequest', `${field}: unpadded base64url`);
  return bytes;
}
