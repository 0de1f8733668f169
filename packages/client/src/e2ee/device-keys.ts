import type { LocalStore } from '../store/local-store.ts';
import { fromBase64, toBase64 } from '../store/base64.ts';
import type { KeyApi } from './key-api.ts';
import { newKeyPackage, newSignatureKeyPair, readKeyPackage, type KeyPackage, type MemberId, type PrivateKeyPackage, type SignatureKeyPair } from './mls.ts';

/** One-time KeyPackages uploaded at a time, and the stock under which more are made. */
export const KEY_PACKAGE_BATCH = 20;
export const KEY_PACKAGE_LOW = 8;

interface StoredIdentity {
  publicKey: string;
  signKey: string;
  registered?: boolean;
}

interface StoredKeyPackage {
  message: string;
  init: string;
  hpke: string;
  signature: string;
  lastResort?: boolean;
}

const identityKey = (deviceId: number) => `e2ee/identity/${deviceId}`;
const keyPackageKey = (deviceId: number, ref: string) => `e2ee/kp/${deviceId}/${ref}`;

/**
 * This device's MLS identity: the signature key pair it made itself (kept in the local store,
 * never sent anywhere but inside an encrypted backup), registered once with the server, and
 * the private halves of the KeyPackages it has handed out for others to add it with.
 */
export class DeviceKeys {
  private readonly store: LocalStore;
  private readonly api: KeyApi;
  private readonly me: () => MemberId;
  private loading: Promise<SignatureKeyPair> | undefined;
  private loadedFor: number | undefined;
  private refilling: Promise<void> | undefined;

  constructor(deps: { store: LocalStore; api: KeyApi; me: () => MemberId }) {
    this.store = deps.store;
    this.api = deps.api;
    this.me = deps.me;
  }

  /** The device's signature key pair, made on first use. */
  identity(): Promise<SignatureKeyPair> {
    const { deviceId } = this.me();
    if (this.loadedFor !== deviceId) {
      this.loadedFor = deviceId;
      this.loading = this.loadIdentity(deviceId);
      this.loading.catch(() => (this.loadedFor = undefined));
    }
    return this.loading!;
  }

  /** Registers the public key (once) and keeps the server's KeyPackage stock filled. */
  ensurePublished(): Promise<void> {
    this.refilling ??= this.publish().finally(() => (this.refilling = undefined));
    return this.refilling;
  }

  /** The KeyPackage (public and private) behind a ref this device handed out. */
  async keyPackage(ref: string): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage } | undefined> {
    const stored = await this.store.getRecord<StoredKeyPackage>(keyPackageKey(this.me().deviceId, ref));
    const publicPackage = stored && readKeyPackage(fromBase64(stored.message));
    if (!stored || !publicPackage) return undefined;
    return {
      publicPackage,
      privatePackage: { initPrivateKey: fromBase64(stored.init), hpkePrivateKey: fromBase64(stored.hpke), signaturePrivateKey: fromBase64(stored.signature) },
    };
  }

  /** A one-time KeyPackage was used to join: its private keys go (a last-resort one stays). */
  async used(ref: string): Promise<void> {
    const key = keyPackageKey(this.me().deviceId, ref);
    const stored = await this.store.getRecord<StoredKeyPackage>(key);
    if (stored && !stored.lastResort) await this.store.deleteRecord(key);
  }

  /** A fresh KeyPackage of this device kept only here (the group creator's own leaf). */
  async ownKeyPackage(): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage; ref: string; message: Uint8Array }> {
    return newKeyPackage(this.me(), await this.identity());
  }

  private async loadIdentity(deviceId: number): Promise<SignatureKeyPair> {
    const stored = await this.store.getRecord<StoredIdentity>(identityKey(deviceId));
    if (stored) return { publicKey: fromBase64(stored.publicKey), signKey: fromBase64(stored.signKey) };
    const keys = await newSignatureKeyPair();
    await this.store.exclusive(`e2ee-identity-${deviceId}`, async () => {
      if (!(await this.store.getRecord(identityKey(deviceId)))) {
        await this.store.setRecord(identityKey(deviceId), { publicKey: toBase64(keys.publicKey), signKey: toBase64(keys.signKey) } satisfies StoredIdentity);
      }
    });
    // Another tab may have won: use what is stored.
    const winner = (await this.store.getRecord<StoredIdentity>(identityKey(deviceId)))!;
    return { publicKey: fromBase64(winner.publicKey), signKey: fromBase64(winner.signKey) };
  }

  private async publish(): Promise<void> {
    const me = this.me();
    const keys = await this.identity();
    const stored = (await this.store.getRecord<StoredIdentity>(identityKey(me.deviceId)))!;
    if (!stored.registered) {
      await this.api.registerKey(keys.publicKey);
      await this.store.setRecord(identityKey(me.deviceId), { ...stored, registered: true });
    }
    const stock = await this.api.stock();
    if (stock >= KEY_PACKAGE_LOW) return;
    const fresh = await Promise.all(Array.from({ length: KEY_PACKAGE_BATCH + 1 }, () => newKeyPackage(me, keys)));
    const lastResort = (await this.store.records(`e2ee/kp/${me.deviceId}/`)).some(([, v]) => (v as StoredKeyPackage).lastResort) ? undefined : fresh.pop();
    if (!lastResort) fresh.pop();
    // Private halves first: a KeyPackage someone claims must always be one this device can use.
    for (const kp of [...fresh, ...(lastResort ? [lastResort] : [])]) {
      await this.store.setRecord(keyPackageKey(me.deviceId, kp.ref), {
        message: toBase64(kp.message),
        init: toBase64(kp.privatePackage.initPrivateKey),
        hpke: toBase64(kp.privatePackage.hpkePrivateKey),
        signature: toBase64(kp.privatePackage.signaturePrivateKey),
        ...(kp === lastResort ? { lastResort: true } : {}),
      } satisfies StoredKeyPackage);
    }
    await this.api.upload(
      fresh.map((k) => k.message),
      lastResort?.message,
    );
  }
}
