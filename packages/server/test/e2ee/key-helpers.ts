import { expect } from 'vitest';
import { toBase64Url, type ClaimedKeyPackage, type DeviceKey, type KeyPackageStock, type MemberDevice, type Session } from '@michat/protocol';
import type { Fixture } from '../fixture.ts';

type Api = Fixture['api'];

/** The fixture's `api`, against any node's base URL (cluster tests). */
export function httpApi(baseUrl: string): Api {
  return async <T>(method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/** A fresh Ed25519 public key, raw (32 bytes), as a device would make it. */
export async function ed25519PublicKey(): Promise<Uint8Array> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
}

let made = 0;

/** Stand-ins for KeyPackages: the server never parses them, and each one is told apart by its bytes. */
export function fakeKeyPackages(n: number, bytes = 300): string[] {
  return Array.from({ length: n }, () => {
    const kp = crypto.getRandomValues(new Uint8Array(bytes));
    new DataView(kp.buffer).setUint32(0, ++made);
    return toBase64Url(kp);
  });
}

/** The body of a 2xx answer, or a failure naming what the server said. */
export async function ok<T>(res: Promise<{ status: number; body: unknown }>): Promise<T> {
  const r = await res;
  if (r.status < 200 || r.status > 299) throw new Error(`expected success, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as T;
}

/** Registers a new key for the session's device. */
export async function registerKey(api: Api, s: Session): Promise<DeviceKey> {
  return ok<DeviceKey>(api('PUT', '/api/devices/current/key', { signatureKey: toBase64Url(await ed25519PublicKey()) }, s.accessToken));
}

export async function upload(api: Api, s: Session, keyPackages: string[], lastResort?: string): Promise<number> {
  return (await ok<{ stock: number }>(api('POST', '/api/keypackages', { keyPackages, ...(lastResort ? { lastResort } : {}) }, s.accessToken))).stock;
}

export async function stock(api: Api, s: Session): Promise<KeyPackageStock> {
  return ok<KeyPackageStock>(api('GET', '/api/keypackages/stock', undefined, s.accessToken));
}

export async function claim(api: Api, s: Session, devices: number[]): Promise<ClaimedKeyPackage[]> {
  return (await ok<{ keyPackages: ClaimedKeyPackage[] }>(api('POST', '/api/keypackages/claim', { devices }, s.accessToken))).keyPackages;
}

export async function channelDevices(api: Api, s: Session, channelId: number): Promise<MemberDevice[]> {
  return (await ok<{ devices: MemberDevice[] }>(api('GET', `/api/channels/${channelId}/devices`, undefined, s.accessToken))).devices;
}

/** Asserts a typed error answer. */
export function expectError(res: { status: number; body: unknown }, status: number, kind: string): void {
  expect(res, JSON.stringify(res.body)).toMatchObject({ status, body: { error: { kind, message: expect.any(String) } } });
}
