import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedInvite, Invite, Me, Session } from '@michat/protocol';
import { InviteStore, Invites, systemClock, type Clock } from '@michat/core';
import { PASSWORD, startFixture, type Fixture } from './fixture.ts';

type Answer<T> = { status: number; body: T & { error?: { kind: string; message: string } } };

describe('invites create accounts, within their limits', () => {
  let f: Fixture;
  let teamId: number;
  beforeAll(async () => {
    f = await startFixture();
    teamId = (await f.api<{ id: number }>('POST', '/api/teams', { name: 'core' }, f.admin.accessToken)).body.id;
  });
  afterAll(() => f.close());

  const invite = (body: object, token = f.admin.accessToken) => f.api<CreatedInvite & { error?: { kind: string } }>('POST', '/api/invites', body, token);
  const register = (code: string, username: string, password = PASSWORD) => f.api<Session>('POST', '/api/auth/register', { code, username, password }) as Promise<Answer<Session>>;
  const userExists = async (username: string) => (await f.api('POST', '/api/auth/login', { username, password: PASSWORD })).status === 200;

  it('an org invite registers as many users as it allows, then refuses and creates no one', async () => {
    const made = await invite({ maxUses: 2 });
    expect(made.status).toBe(201);
    expect(made.body.code.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits
    expect(made.body.link).toBe(`${f.server.url}/invite/${made.body.code}`);

    const ann = await register(made.body.code, 'ann');
    expect(ann.status).toBe(201);
    expect((await f.api<Me>('GET', '/api/me', undefined, ann.body.accessToken)).body).toMatchObject({ username: 'ann', org: { name: 'acme' }, orgAdmin: false });
    expect((await register(made.body.code, 'ben')).status).toBe(201);
    const third = await register(made.body.code, 'cat');
    expect(third).toMatchObject({ status: 409, body: { error: { kind: 'Conflict' } } });
    expect(await userExists('cat')).toBe(false);

    const listed = await f.api<Invite[]>('GET', '/api/invites', undefined, f.admin.accessToken);
    expect(listed.body.find((i) => i.id === made.body.id)).toMatchObject({ maxUses: 2, uses: 2 });
    expect(JSON.stringify(listed.body)).not.toContain(made.body.code); // the code is shown once
  });

  it('refuses unknown and revoked codes with NotFound', async () => {
    expect((await register('AAAAAAAAAAAAAAAAAAAAAAAA', 'dan')).body.error?.kind).toBe('NotFound');
    const made = await invite({});
    expect((await f.api('DELETE', `/api/invites/${made.body.id}`, undefined, f.admin.accessToken)).status).toBe(204);
    expect((await register(made.body.code, 'dan')).body.error?.kind).toBe('NotFound');
    expect(await userExists('dan')).toBe(false);
  });

  it('refuses an expired code with Expired', async () => {
    // An invite made three minutes ago that lasted one minute.
    const past: Clock = { now: () => Date.now() - 3 * 60_000, setTimer: systemClock.setTimer };
    const node = f.server.node;
    const then = new Invites({ directory: node.directory, store: new InviteStore(node.kv), sessions: node.sessions, clock: past });
    const { code } = await then.create(await node.auth.verify(f.admin.accessToken), { maxUses: 5, expiresInMs: 60_000 });
    expect((await register(code, 'eve')).body.error?.kind).toBe('Expired');
    expect(await userExists('eve')).toBe(false);
  });

  it('applies the password rules and a taken username without spending a use', async () => {
    const made = await invite({ maxUses: 1 });
    for (const weak of ['short', 'password1', 'fay-fay-fay-fay', 'xxxxxxxxxxxx']) {
      expect((await register(made.body.code, 'fay', weak)).body.error?.kind).toBe('BadRequest');
    }
    expect((await register(made.body.code, 'ann')).body.error?.kind).toBe('Conflict'); // taken above
    expect((await register(made.body.code, 'fay')).status).toBe(201);
  });

  it('a team invite adds the user to the team with its role; team admins invite to their team only', async () => {
    const made = await invite({ teamId, role: 'admin' });
    const gus = await register(made.body.code, 'gus');
    expect(gus.status).toBe(201);
    const me = (await f.api<Me>('GET', '/api/me', undefined, gus.body.accessToken)).body;
    expect(me.teams).toEqual([expect.objectContaining({ id: teamId, name: 'core', role: 'admin' })]);

    // gus (team admin) invites a member into his team; not into the org alone, not as owner.
    const token = gus.body.accessToken;
    expect((await invite({}, token)).body.error?.kind).toBe('Forbidden');
    expect((await invite({ teamId, role: 'owner' }, token)).body.error?.kind).toBe('Forbidden');
    const member = await invite({ teamId }, token);
    expect(member.status).toBe(201);
    const hal = await register(member.body.code, 'hal');
    const halMe = (await f.api<Me>('GET', '/api/me', undefined, hal.body.accessToken)).body;
    expect(halMe.teams).toEqual([expect.objectContaining({ id: teamId, role: 'member' })]);

    // a plain member cannot invite; gus sees the invites of his team only
    expect((await invite({ teamId }, hal.body.accessToken)).body.error?.kind).toBe('Forbidden');
    const seen = (await f.api<Invite[]>('GET', '/api/invites', undefined, token)).body;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((i) => i.teamId === teamId)).toBe(true);
  });
});
