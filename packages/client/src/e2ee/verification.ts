import { MichatError, deviceFingerprint, safetyNumber, type DeviceInfo } from '@michat/protocol';
import type { LocalStore } from '../store/local-store.ts';
import { RecordKeys } from '../store/store-records.ts';
import type { DeviceKey, KeyApi } from './key-api.ts';
import type { MemberId, SignatureKeyPair } from './mls.ts';

/** What this client wrote down the first time it saw a device's key (trust on first use). */
interface SeenRecord {
  userId: number;
  username: string;
  /** The fingerprint seen first (or the one last verified by this user). */
  fingerprint: string;
  at: number;
  /** Another fingerprint the directory listed since: a warning until this user verifies the device again. */
  changedTo?: string;
  changedAt?: number;
}

interface VerifiedRecord {
  userId: number;
  fingerprint: string;
  at: number;
}

/** A signed-in device as this client judges it. */
export interface DeviceTrust {
  userId: number;
  username: string;
  deviceId: number;
  /** Of the key the directory lists now, computed here from the key; undefined until the device registers one. */
  fingerprint: string | undefined;
  /** This user compared this fingerprint and marked the device verified (and it has not changed since). */
  verified: boolean;
  /** The key differs from the one this client saw first for the device, and nobody re-verified it: loud. */
  changed: boolean;
  /** The fingerprint this client saw first (or last verified). */
  firstSeen: string | undefined;
  /** This device. */
  current: boolean;
}

/** A device whose key is not the one this client saw first: the server or the directory lied, or worse. */
export interface ChangedKey {
  userId: number;
  username: string;
  deviceId: number;
  firstSeen: string;
  fingerprint: string;
  /** Local time the change was first noticed. */
  noticedAt: number;
}

export interface VerificationDeps {
  store: LocalStore;
  api: KeyApi;
  me(): MemberId;
  identity(): Promise<SignatureKeyPair>;
  now(): number;
}

/**
 * Device verification: fingerprints, safety numbers, and a trust-on-first-use record of every
 * device key this client has seen. Servers keep a device's key set once, so a device listed
 * later with another key means the directory lied: it is reported (`changed`, `changedKeys`)
 * until the user verifies the device again. Records live in the store (`e2ee/seen/`,
 * `e2ee/verified/`); they hold public fingerprints only, so exports carry them as they are.
 */
export class Verification {
  private readonly deps: VerificationDeps;

  constructor(deps: VerificationDeps) {
    this.deps = deps;
  }

  /** This device's fingerprint, from its own key (what others should see for it). */
  async ownFingerprint(): Promise<string> {
    return deviceFingerprint((await this.deps.identity()).publicKey);
  }

  /** A user's signed-in devices, each with its fingerprint, whether it is verified and whether its key changed. */
  async devices(userId: number): Promise<DeviceTrust[]> {
    const listed = await this.deps.api.userDevices(userId);
    await this.forgetSignedOut(userId, listed);
    return this.observe(listed);
  }

  /** Every signed-in device of a channel's members (one request), judged like `devices`. */
  async channelDevices(channelId: number): Promise<DeviceTrust[]> {
    return this.observe(await this.deps.api.channelDevices(channelId));
  }

  /**
   * The safety number of this user and `otherUserId` (the same 60 digits on both sides while
   * both see the same keys), and the devices it covers (those with a key). This device counts
   * with its own key, whatever the directory says, so a directory that swapped it gives the
   * other side another number.
   */
  async compare(otherUserId: number): Promise<{ safetyNumber: string; mine: DeviceTrust[]; theirs: DeviceTrust[] }> {
    const me = this.deps.me();
    const users = otherUserId === me.userId ? [me.userId] : [me.userId, otherUserId];
    const lists = await Promise.all(users.map((u) => this.deps.api.userDevices(u)));
    const judged: DeviceTrust[][] = [];
    for (const [i, userId] of users.entries()) {
      await this.forgetSignedOut(userId, lists[i]!);
      judged.push(await this.observe(lists[i]!));
    }
    const own = (await this.deps.identity()).publicKey;
    const devices = lists.flat().flatMap((d) => (d.signatureKey ? [{ userId: d.userId, deviceId: d.deviceId, signatureKey: d.deviceId === me.deviceId ? own : d.signatureKey }] : []));
    const [mine, theirs] = [judged[0]!, judged[1] ?? judged[0]!];
    return { safetyNumber: await safetyNumber([me.userId, otherUserId], devices), mine, theirs };
  }

  /** The safety number of this user and `otherUserId` (see `compare`). */
  async safetyNumber(otherUserId: number): Promise<string> {
    return (await this.compare(otherUserId)).safetyNumber;
  }

  /**
   * Marks a device verified at the fingerprint the user compared. Refused (Conflict) when the
   * device's key no longer has that fingerprint, NotFound when the device is signed out or was
   * never listed to this client. Verifying resolves a change: this key is the device's from now on.
   */
  async markVerified(deviceId: number, fingerprint: string): Promise<void> {
    const seen = await this.deps.store.getRecord<SeenRecord>(RecordKeys.seen(deviceId));
    const userId = seen?.userId ?? (await this.deps.store.getRecord<DeviceInfo>(RecordKeys.device(deviceId)))?.userId;
    if (userId === undefined) throw new MichatError('NotFound', `device ${deviceId} was never listed to this client: list its user's devices first`);
    const device = (await this.deps.api.userDevices(userId)).find((d) => d.deviceId === deviceId);
    if (!device?.signatureKey) throw new MichatError('NotFound', `device ${deviceId} is not signed in, or has no key yet`);
    const now = await deviceFingerprint(device.signatureKey);
    if (deviceId === this.deps.me().deviceId && now !== (await this.ownFingerprint())) throw new MichatError('Conflict', 'the directory lists another key for this device than its own');
    if (now !== fingerprint) throw new MichatError('Conflict', `device ${deviceId}'s key no longer has the fingerprint that was compared: compare again`);
    await this.deps.store.exclusive('e2ee-seen', async () => {
      const at = this.deps.now();
      await this.deps.store.setRecord(RecordKeys.verified(deviceId), { userId, fingerprint, at } satisfies VerifiedRecord);
      const latest = await this.deps.store.getRecord<SeenRecord>(RecordKeys.seen(deviceId));
      await this.deps.store.setRecord(RecordKeys.seen(deviceId), { userId, username: device.username, fingerprint, at: latest?.at ?? at } satisfies SeenRecord);
    });
  }

  /** Takes back a verification (the device stays trusted on first use). */
  async unverify(deviceId: number): Promise<void> {
    await this.deps.store.deleteRecord(RecordKeys.verified(deviceId));
  }

  /** Every device seen with another key than the first (or last verified) one, oldest notice first. */
  async changedKeys(): Promise<ChangedKey[]> {
    const out: ChangedKey[] = [];
    for (const [key, value] of await this.deps.store.records(RecordKeys.seenPrefix)) {
      const seen = value as SeenRecord;
      if (seen.changedTo === undefined) continue;
      const deviceId = Number(key.slice(RecordKeys.seenPrefix.length));
      out.push({ userId: seen.userId, username: seen.username, deviceId, firstSeen: seen.fingerprint, fingerprint: seen.changedTo, noticedAt: seen.changedAt ?? seen.at });
    }
    return out.sort((a, b) => a.noticedAt - b.noticedAt || a.deviceId - b.deviceId);
  }

  /** Records first sightings and changes of the listed devices' keys; judges each device. */
  private async observe(listed: DeviceKey[]): Promise<DeviceTrust[]> {
    const me = this.deps.me();
    const own = await this.ownFingerprint();
    const fingerprints = await Promise.all(listed.map((d) => (d.signatureKey ? deviceFingerprint(d.signatureKey) : undefined)));
    return this.deps.store.exclusive('e2ee-seen', async () => {
      // One read of each record family: a channel may list hundreds of devices every few seconds.
      const seenAll = new Map(await this.deps.store.records(RecordKeys.seenPrefix)) as Map<string, SeenRecord>;
      const verifiedAll = new Map(await this.deps.store.records(RecordKeys.verifiedPrefix)) as Map<string, VerifiedRecord>;
      const out: DeviceTrust[] = [];
      for (const [i, d] of listed.entries()) {
        const current = d.deviceId === me.deviceId;
        // The directory's word on a key, recomputed here: its `fingerprint` field is not trusted.
        const listedFingerprint = fingerprints[i];
        const fingerprint = listedFingerprint ?? (current ? own : undefined);
        let seen = seenAll.get(RecordKeys.seen(d.deviceId));
        if (!seen && fingerprint) {
          // This device's own record is its own key, so a directory listing another one for it shows as changed.
          seen = { userId: d.userId, username: d.username, fingerprint: current ? own : fingerprint, at: this.deps.now() };
          await this.deps.store.setRecord(RecordKeys.seen(d.deviceId), seen);
        }
        if (seen && fingerprint && fingerprint !== seen.fingerprint && fingerprint !== seen.changedTo) {
          seen = { ...seen, changedTo: fingerprint, changedAt: this.deps.now() };
          await this.deps.store.setRecord(RecordKeys.seen(d.deviceId), seen);
        }
        const verifiedRecord = verifiedAll.get(RecordKeys.verified(d.deviceId));
        // A change stays a change until re-verified, even if the first key comes back.
        const changed = seen?.changedTo !== undefined;
        out.push({
          userId: d.userId,
          username: d.username,
          deviceId: d.deviceId,
          fingerprint,
          verified: !changed && fingerprint !== undefined && verifiedRecord?.fingerprint === fingerprint,
          changed,
          firstSeen: seen?.fingerprint,
          current,
        });
      }
      return out;
    });
  }

  /** A device of `userId` that is no longer signed in cannot be re-verified: its warning and verification go. */
  private async forgetSignedOut(userId: number, listed: DeviceKey[]): Promise<void> {
    const present = new Set(listed.map((d) => d.deviceId));
    await this.deps.store.exclusive('e2ee-seen', async () => {
      for (const [key, value] of await this.deps.store.records(RecordKeys.seenPrefix)) {
        const seen = value as SeenRecord;
        const deviceId = Number(key.slice(RecordKeys.seenPrefix.length));
        if (seen.userId !== userId || present.has(deviceId)) continue;
        // The first fingerprint stays: the device listed again under any other key is a change again.
        if (seen.changedTo !== undefined) await this.deps.store.setRecord(key, { userId: seen.userId, username: seen.username, fingerprint: seen.fingerprint, at: seen.at } satisfies SeenRecord);
        await this.deps.store.deleteRecord(RecordKeys.verified(deviceId));
      }
    });
  }
}
