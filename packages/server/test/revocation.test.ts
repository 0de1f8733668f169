import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import { PASSWORD, startFixture, type Fixture } from './fixture.ts';
import { revokedWithin, stillOpen } from './sign-in-helpers.ts';

const PROMPTLY_MS = 1_000;

describe('signing out stops refresh, access tokens and open sockets at once', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  async function refreshStatus(s: Session): Promise<number> {
    return (await f.api('POST', '/api/auth/refresh', { refreshToken: s.refreshToken })).status;
  }

  it('log out everywhere: no refresh succeeds, every socket of the user gets bye revoked and closes; others stay', async () => {
    const laptop = await f.user('alice');
    const phone = await f.login('alice');
    const bob = await f.user('bob');
    const sockets = [await RawClient.connect(f.server.wsUrl, laptop.accessToken), await RawClient.connect(f.server.wsUrl, phone.accessToken)];
    const bobSocket = await RawClient.connect(f.server.wsUrl, bob.accessToken);

    expect((await f.api('POST', '/api/auth/logout-everywhere', undefined, laptop.accessToken)).status).toBe(204);
    for (const s of sockets) {
      const closed = await revokedWithin(s, PROMPTLY_MS);
      expect(closed.code).toBe(4409);
      expect(closed.bye).toMatchObject({ t: 'bye', reason: 'revoked' });
    }
    expect(await stillOpen(bobSocket, 1)).toBe(true);
    expect(await refreshStatus(laptop)).toBe(401);
    expect(await refreshStatus(phone)).toBe(401);
    expect((await f.api('GET', '/api/me', undefined, phone.accessToken)).status).toBe(401);
    expect((await f.api('GET', '/api/me', undefined, bob.accessToken)).status).toBe(200);
    // Signing in again makes a new device, which works.
    const again = await f.login('alice');
    expect((await f.api('GET', '/api/me', undefined, again.accessToken)).status).toBe(200);
    bobSocket.close();
  });

  it('revoking one device closes only its socket and refuses its access token on HTTP at once', async () => {
    const laptop = await f.user('carol');
    const phone = await f.login('carol');
    const laptopSocket = await RawClient.connect(f.server.wsUrl, laptop.accessToken);
    const phoneSocket = await RawClient.connect(f.server.wsUrl, phone.accessToken);

    expect((await f.api('DELETE', `/api/devices/${phone.deviceId}`, undefined, laptop.accessToken)).status).toBe(204);
    const closed = await revokedWithin(phoneSocket, PROMPTLY_MS);
    expect(closed).toMatchObject({ code: 4409, bye: { reason: 'revoked' } });
    expect((await f.api('GET', '/api/me', undefined, phone.accessToken)).status).toBe(401);
    expect(await refreshStatus(phone)).toBe(401);
    expect(await stillOpen(laptopSocket, 2)).toBe(true);
    expect((await f.api('GET', '/api/me', undefined, laptop.accessToken)).status).toBe(200);
    expect(await refreshStatus(laptop)).toBe(200);
    laptopSocket.close();
  });

  it('logout ends that session and its device; the user’s other devices go on', async () => {
    const laptop = await f.user('dave');
    const phone = await f.login('dave');
    const phoneSocket = await RawClient.connect(f.server.wsUrl, phone.accessToken);
    expect((await f.api('POST', '/api/auth/logout', { refreshToken: phone.refreshToken })).status).toBe(204);
    expect((await revokedWithin(phoneSocket, PROMPTLY_MS)).code).toBe(4409);
    expect((await f.api('GET', '/api/me', undefined, phone.accessToken)).status).toBe(401);
    expect((await f.api('GET', '/api/me', undefined, laptop.accessToken)).status).toBe(200);
  });

  it('an org admin signs a user out everywhere; a plain user cannot do it to someone else', async () => {
    const erin = await f.user('erin');
    const frank = await f.user('frank');
    const socket = await RawClient.connect(f.server.wsUrl, erin.accessToken);
    expect((await f.api('DELETE', `/api/users/${erin.userId}/sessions`, undefined, frank.accessToken)).status).toBe(404);
    expect(await stillOpen(socket, 3)).toBe(true);
    expect((await f.api('DELETE', `/api/users/${erin.userId}/sessions`, undefined, f.admin.accessToken)).status).toBe(204);
    expect((await revokedWithin(socket, PROMPTLY_MS)).code).toBe(4409);
    expect(await refreshStatus(erin)).toBe(401);
    // An admin may also sign out a single device of a user of the org; a stranger may not.
    const phone = await f.login('frank');
    expect((await f.api('DELETE', `/api/devices/${phone.deviceId}`, undefined, (await f.login('erin')).accessToken)).status).toBe(404);
    expect((await f.api('DELETE', `/api/devices/${phone.deviceId}`, undefined, f.admin.accessToken)).status).toBe(204);
    expect((await f.api('GET', '/api/me', undefined, phone.accessToken)).status).toBe(401);
    expect((await f.api('GET', '/api/me', undefined, frank.accessToken)).status).toBe(200);
  });

  it('a password change needs the current password and a password that passes the rules; refused, it changes nothing', async () => {
    const hank = await f.user('hank');
    const socket = await RawClient.connect(f.server.wsUrl, hank.accessToken);
    const change = (old: string, next: string) => f.api<{ error?: { kind: string } }>('POST', '/api/auth/password', { old, new: next }, hank.accessToken);
    expect((await change('wrong password here', 'a brand new secret')).body.error?.kind).toBe('Forbidden');
    for (const weak of ['short', 'password123', 'hank-is-great-2026', 'zzzzzzzzzzzz']) {
      expect((await change(PASSWORD, weak)).body.error?.kind).toBe('BadRequest');
    }
    expect(await stillOpen(socket, 4)).toBe(true);
    expect(await refreshStatus(hank)).toBe(200);
    socket.close();
  });

  it('a password change signs out the other devices and keeps this one; only the new password logs in', async () => {
    const laptop = await f.user('gina');
    const phone = await f.login('gina');
    const laptopSocket = await RawClient.connect(f.server.wsUrl, laptop.accessToken);
    const phoneSocket = await RawClient.connect(f.server.wsUrl, phone.accessToken);
    expect((await f.api('POST', '/api/auth/password', { old: PASSWORD, new: 'a brand new secret' }, laptop.accessToken)).status).toBe(204);
    expect((await revokedWithin(phoneSocket, PROMPTLY_MS)).code).toBe(4409);
    expect(await refreshStatus(phone)).toBe(401);
    expect(await stillOpen(laptopSocket, 5)).toBe(true);
    expect((await f.api('GET', '/api/me', undefined, laptop.accessToken)).status).toBe(200);
    expect(await refreshStatus(laptop)).toBe(200);
    expect((await f.api('POST', '/api/auth/login', { username: 'gina', password: PASSWORD })).status).toBe(401);
    expect((await f.api('POST', '/api/auth/login', { username: 'gina', password: 'a brand new secret' })).status).toBe(200);
    laptopSocket.close();
  });
});
