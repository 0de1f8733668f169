import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MichatError, type Session } from '@michat/protocol';
import { MichatClient } from '../src/index.ts';
import { eventually, startClientFixture, type ClientFixture } from './fixture.ts';

describe('sessions are refreshed and rotate', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  it('a refresh gives a working session, re-authenticates the socket and spends the old refresh token', async () => {
    const sessions: Session[] = [];
    const errors: Error[] = [];
    const alice = await f.user('alice', { onSession: (s) => sessions.push(s) });
    alice.on('error', (e) => errors.push(e));
    const channel = await f.channel([alice]);
    await alice.sendText(channel, 'before');
    const old = alice.session;
    const fresh = await alice.refreshSession();
    expect(fresh.refreshToken).not.toBe(old.refreshToken);
    expect(alice.session).toEqual(fresh);
    expect(sessions.at(-1)).toEqual(fresh);
    await alice.sendText(channel, 'after');
    await expect(alice.http.me(fresh.accessToken)).resolves.toMatchObject({ username: 'alice' });
    await expect(alice.http.refresh(old.refreshToken)).rejects.toMatchObject({ kind: 'Unauthorized' });
    expect(errors).toEqual([]);
  });

  it('an access token near expiry is refreshed ahead of time on the open socket, and publishing goes on', async () => {
    const bob = await f.user('bob');
    const channel = await f.channel([bob]);
    const saved = bob.session;
    await bob.close();
    const renewed: Array<{ session: Session; state: string }> = [];
    const errors: Error[] = [];
    // 11 s left: enough to say hello with, so the refresh comes from the timer (half the life left).
    const resumed = f.track(
      new MichatClient(f.server.url, { ...saved, expiresAt: Date.now() + 11_000 }, { onSession: (s) => renewed.push({ session: s, state: resumed.state }) }),
    );
    resumed.on('error', (e) => errors.push(e));
    await resumed.connect();
    expect(renewed).toHaveLength(0);
    await eventually(() => renewed.length === 1, 10_000, 'the early refresh');
    expect(renewed[0]!.state).toBe('open');
    expect(renewed[0]!.session.expiresAt).toBeGreaterThan(Date.now() + 60_000);
    await resumed.sendText(channel, 'still here');
    await expect(resumed.http.refresh(saved.refreshToken)).rejects.toMatchObject({ kind: 'Unauthorized' });
    expect(errors).toEqual([]);
  });

  it('a refused access token at hello is renewed and the client connects', async () => {
    const carol = await f.user('carol');
    const saved = carol.session;
    await carol.close();
    const resumed = f.track(new MichatClient(f.server.url, { ...saved, accessToken: 'not-a-token' }));
    await resumed.connect();
    expect(resumed.session.accessToken).not.toBe('not-a-token');
  });

  it('a dead session closes the client with Unauthorized', async () => {
    const dora = await f.user('dora');
    const saved = dora.session;
    await dora.logout();
    const errors: Error[] = [];
    const resumed = f.track(new MichatClient(f.server.url, { ...saved, accessToken: 'not-a-token' }));
    resumed.on('error', (e) => errors.push(e));
    const err = await resumed.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MichatError);
    expect(err).toMatchObject({ kind: 'Unauthorized' });
    expect(resumed.state).toBe('closed');
    expect(errors.some((e) => e instanceof MichatError && e.kind === 'Unauthorized')).toBe(true);
  });
});
