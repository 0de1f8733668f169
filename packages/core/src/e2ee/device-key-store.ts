import { deviceFingerprint, fromBase64Url, toBase64Url } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import { e2eeKeys } from './e2ee-keys.ts';

/** `d/devkey/<device>`. */
interface DeviceKeyRecord {
  /** Unpadded base64url of the raw Ed25519 public key. */
  signatureKey: string;
  /** ms since the epoch. */
  registered: number;
}

/** A device's signature key as the API shows it. */
export interface StoredDeviceKey {
  signatureKey: string;
  fingerprint: string;
}

/**
 * Devices' signature keys: written once per device and never changed (a new key is a new
 * device), so anyone who verified a fingerprint can trust it stays that device's.
 */
export class DeviceKeyStore {
  private readonly kv: KvStore;

  constructor(kv: KvStore) {
    this.kv = kv;
  }

  async get(deviceId: number): Promise<StoredDeviceKey | undefined> {
    const raw = await this.kv.get(e2eeKeys.deviceKey(deviceId));
    return raw ? view(parseJsonBytes<DeviceKeyRecord>(raw)) : undefined;
  }

  /** Stores `key` unless the device has one; returns the device's key either way (the earlier one if it had one). */
  async putIfAbsent(deviceId: number, key: Uint8Array, now: number): Promise<{ key: StoredDeviceKey; created: boolean }> {
    const record: DeviceKeyRecord = { signatureKey: toBase64Url(key), registered: now };
    const existing = await this.kv.putIfAbsent(e2eeKeys.deviceKey(deviceId), jsonBytes(record));
    return existing ? { key: await view(parseJsonBytes<DeviceKeyRecord>(existing)), created: false } : { key: await view(record), created: true };
  }
}

async function view(record: DeviceKeyRecord): Promise<StoredDeviceKey> {
  const bytes = fromBase64Url(record.signatureKey) ?? new Uint8Array(0);
  return { signatureKey: record.signatureKey, fingerprint: await deviceFingerprint(bytes) };
}
