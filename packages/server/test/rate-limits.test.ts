import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import { PASSWORD, channelPrefix, startFixture, teamWithChannel, textObject, type Fixture } from './fixture.ts';
import { call } from './sign-in-helpers.ts';

type ErrorBody = { error?: { kind: string; retryAfterMs?: number } };

describe('rate limits', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('after repeated wrong passwords for one username, logins for it get 429 with Retry-After; another username still logs in', async () => {
    f = await startFixture({ config: { rateLimits: {} } }); // production defaults: 10/min per username, 30/min per IP
    await f.user('alice');
    await f.user('bob');
    const login = (username: string, password: string) => call<ErrorBody>(f!, 'POST', '/api/auth/login', { body: { username, password } });

    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await login('alice', `wrong guess number ${i}`)).status);
    expect(answers.slice(0, 3)).toEqual([401, 401, 401]);
    expect(answers.at(-1)).toBe(429);

    // Even the right password waits now, and the answer says how long.
    const throttled = await login('alice', PASSWORD);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toMatchObject({ kind: 'RateLimited' });
    expect(throttled.body.error?.retryAfterMs).toBeGreaterThan(0);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    expect((await login('bob', PASSWORD)).status).toBe(200);
  });

  it('limits publishes per user across all their connections, not per connection', async () => {
    f = await startFixture({ config: { rateLimits: { publishPerUser: { perSec: 0.1, burst: 4 } } } });
    const alice = await f.user('alice');
    const bob = await f.user('bob');
    const { channel } = await teamWithChannel(f, [alice, bob]);
    const phone: Session = await f.login('alice');
    const sockets = [await RawClient.connect(f.server.wsUrl, alice.accessToken), await RawClient.connect(f.server.wsUrl, phone.accessToken)];
    const sessions = [alice, phone];
    let id = 0;
    const publish = (i: number, seq: number) => sockets[i]!.request({ t: 'pub', id: ++id, obj: textObject(channel, sessions[i]!, seq, `m${seq}`).bytes });

    for (const seq of [1, 2]) {
      expect(await publish(0, seq)).toMatchObject({ t: 'ack' });
      expect(await publish(1, seq)).toMatchObject({ t: 'ack' });
    }
    const refused = await publish(1, 3);
    expect(refused).toMatchObject({ t: 'err', kind: 'RateLimited' });
    expect(refused.t === 'err' && refused.retryAfterMs).toBeGreaterThan(0);
    expect(await publish(0, 3)).toMatchObject({ t: 'err', kind: 'RateLimited' });

    const bobSocket = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    expect(await bobSocket.request({ t: 'pub', id: 99, obj: textObject(channel, bob, 1, 'mine').bytes })).toMatchObject({ t: 'ack' });
    // Nothing refused was stored.
    const page = await bobSocket.request({ t: 'hist', id: 100, channel: channelPrefix(channel), limit: 50 });
    expect(page.t === 'page' && page.objs.length).toBe(5);
    for (const s of [...sockets, bobSocket]) s.close();
  });

  it('limits API calls per user with 429, leaving other users alone', async () => {
    f = await startFixture({ config: { rateLimits: { apiPerUser: { perSec: 0.1, burst: 5 } } } });
    const alice = await f.user('alice');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(f, 'GET', '/api/me', { token: alice.accessToken })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await call(f, 'GET', '/api/me', { token: f.admin.accessToken })).status).toBe(200);
  });

  it('behind a trusted proxy, counts sign-in attempts per X-Forwarded-For address; without trust, ignores the header', async () => {
    const limits = { authPerIp: { perSec: 0.01, burst: 3 }, failureCost: 1 };
    for (const trustProxy of [true, false]) {
      f = await startFixture({ config: { trustProxy, rateLimits: limits } }); // setup used 1 of 127.0.0.1's 3
      const from = (ip: string, n: number) =>
        call(f!, 'POST', '/api/auth/login', { body: { username: `nobody${n}`, password: 'not the password' }, headers: { 'x-forwarded-for': `198.51.100.1, ${ip}` } });
      const first = [await from('203.0.113.7', 1), await from('203.0.113.7', 2), await from('203.0.113.7', 3)].map((r) => r.status);
      const other = (await from('203.0.113.8', 4)).status;
      if (trustProxy) expect([...first, other]).toEqual([401, 401, 401, 401]);
      else expect([...first, other]).toEqual([401, 401, 429, 429]);
      await f.close();
      f = undefined;
    }
  });
});
