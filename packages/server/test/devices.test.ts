import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, SignedInDevice } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import { PASSWORD, startFixture, type Fixture } from './fixture.ts';

describe('the device list', () => {
  let f: Fixture;
  let laptop: Session;
  let phone: Session;
  beforeAll(async () => {
    f = await startFixture();
    await f.user('alice');
    laptop = (await f.api<Session>('POST', '/api/auth/login', { username: 'alice', password: PASSWORD, deviceName: 'laptop' })).body;
    phone = (await f.api<Session>('POST', '/api/auth/login', { username: 'alice', password: PASSWORD, deviceName: 'phone' })).body;
  });
  afterAll(() => f.close());

  const devices = async (token: string, query = '') => {
    const r = await f.api<SignedInDevice[]>('GET', `/api/devices${query}`, undefined, token);
    expect(r.status).toBe(200);
    return r.body;
  };
  const named = (list: SignedInDevice[], name: string) => list.find((d) => d.name === name)!;

  it('shows each device with its name, which one is asking, and when it was last used', async () => {
    const list = await devices(laptop.accessToken);
    expect(list.map((d) => d.name)).toEqual(['device', 'laptop', 'phone']);
    expect(named(list, 'laptop')).toMatchObject({ deviceId: laptop.deviceId, current: true, signedIn: true });
    expect(named(list, 'phone')).toMatchObject({ deviceId: phone.deviceId, current: false, signedIn: true });
    expect(named(list, 'phone').lastUsedAt).toBe(named(list, 'phone').created);

    // A WebSocket hello is a use (recorded in the background, so look until it shows).
    const socket = await RawClient.connect(f.server.wsUrl, phone.accessToken);
    let phoneNow = named(await devices(laptop.accessToken), 'phone');
    for (let i = 0; i < 50 && phoneNow.lastUsedAt === phoneNow.created; i++) {
      await new Promise((r) => setTimeout(r, 20));
      phoneNow = named(await devices(laptop.accessToken), 'phone');
    }
    expect(phoneNow.lastUsedAt).toBeGreaterThan(phoneNow.created);
    socket.close();

    // So is a refresh.
    const before = Date.now();
    const refreshed = await f.api<Session>('POST', '/api/auth/refresh', { refreshToken: laptop.refreshToken });
    laptop = refreshed.body;
    expect(named(await devices(laptop.accessToken), 'laptop').lastUsedAt).toBeGreaterThanOrEqual(before);
  });

  it('shows a revoked device as signed out; others and strangers cannot see or revoke it', async () => {
    const bob = await f.user('bob');
    expect((await f.api('GET', `/api/devices?userId=${laptop.userId}`, undefined, bob.accessToken)).status).toBe(403);
    expect((await f.api('DELETE', `/api/devices/${phone.deviceId}`, undefined, bob.accessToken)).status).toBe(404);
    expect(named(await devices(laptop.accessToken), 'phone').signedIn).toBe(true);

    expect((await f.api('DELETE', `/api/devices/${phone.deviceId}`, undefined, laptop.accessToken)).status).toBe(204);
    expect(named(await devices(laptop.accessToken), 'phone').signedIn).toBe(false);
    // An org admin sees the user's devices.
    const asAdmin = await devices(f.admin.accessToken, `?userId=${laptop.userId}`);
    expect(asAdmin.map((d) => [d.name, d.signedIn])).toEqual([['device', true], ['laptop', true], ['phone', false]]);
  });
});
