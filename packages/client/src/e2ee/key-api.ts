import { MichatError, fromBase64Url, toBase64Url } from '@michat/protocol';
import type { HttpApi } from '../http-api.ts';

/** A signed-in device as the key routes list it (docs/access.md, E2EE rows). */
export interface DeviceKey {
  userId: number;
  username: string;
  deviceId: number;
  signatureKey: Uint8Array | undefined;
  fingerprint: string | undefined;
}

export interface ClaimedKeyPackage {
  deviceId: number;
  keyPackage: Uint8Array;
  lastResort: boolean;
}

/**
 * The E2EE routes of the control plane: a device's signature key (set once), its stock of
 * one-time KeyPackages, claims of other devices' KeyPackages, and who holds which key.
 * Bytes travel as base64url without padding.
 */
export class KeyApi {
  private readonly http: HttpApi;
  private readonly token: () => Promise<string>;

  constructor(http: HttpApi, token: () => Promise<string>) {
    this.http = http;
    this.token = token;
  }

  async registerKey(signatureKey: Uint8Array): Promise<void> {
    await this.http.call('PUT', '/api/devices/current/key', { token: await this.token(), body: { signatureKey: toBase64Url(signatureKey) } });
  }

  async stock(): Promise<number> {
    const res = await this.http.call('GET', '/api/keypackages/stock', { token: await this.token(), schema: anyJson });
    return numberField(res, 'stock');
  }

  async upload(keyPackages: Uint8Array[], lastResort?: Uint8Array): Promise<number> {
    const body = { keyPackages: keyPackages.map(toBase64Url), ...(lastResort ? { lastResort: toBase64Url(lastResort) } : {}) };
    return numberField(await this.http.call('POST', '/api/keypackages', { token: await this.token(), body, schema: anyJson }), 'stock');
  }

  async claim(devices: number[]): Promise<ClaimedKeyPackage[]> {
    if (devices.length === 0) return [];
    const res = await this.http.call('POST', '/api/keypackages/claim', { token: await this.token(), body: { devices }, schema: anyJson });
    const list = (res as { keyPackages?: unknown }).keyPackages;
    if (!Array.isArray(list)) throw shapeError('claim');
    return list.map((k: { deviceId: number; keyPackage: string; lastResort?: boolean }) => ({ deviceId: k.deviceId, keyPackage: bytes(k.keyPackage), lastResort: k.lastResort === true }));
  }

  /** Every signed-in device of the channel's members, with its key. */
  async channelDevices(channelId: number): Promise<DeviceKey[]> {
    return this.devices(await this.http.call('GET', `/api/channels/${channelId}/devices`, { token: await this.token(), schema: anyJson }));
  }

  async userDevices(userId: number): Promise<DeviceKey[]> {
    return this.devices(await this.http.call('GET', `/api/users/${userId}/devices/keys`, { token: await this.token(), schema: anyJson }));
  }

  private devices(res: unknown): DeviceKey[] {
    const list = (res as { devices?: unknown }).devices;
    if (!Array.isArray(list)) throw shapeError('devices');
    return list.map((d: { userId: number; username: string; deviceId: number; signatureKey: string | null; fingerprint: string | null }) => ({
      userId: d.userId,
      username: d.username,
      deviceId: d.deviceId,
      signatureKey: d.signatureKey ? bytes(d.signatureKey) : undefined,
      fingerprint: d.fingerprint ?? undefined,
    }));
  }
}

const anyJson = { safeParse: (data: unknown) => ({ success: true as const, data }) };

function numberField(res: unknown, field: string): number {
  const v = (res as Record<string, unknown>)[field];
  if (typeof v !== 'number') throw shapeError(field);
  return v;
}

function shapeError(what: string): MichatError {
  return new MichatError('Internal', `unexpected ${what} response shape`);
}

function bytes(text: string): Uint8Array {
  const out = fromBase64Url(text);
  if (!out) throw shapeError('base64url');
  return out;
}
