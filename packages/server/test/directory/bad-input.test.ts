import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ErrorKind, Session } from '@michat/protocol';
import { startFixture, type Fixture } from '../fixture.ts';
import { ok, refusedWithoutChange } from './helpers.ts';

/** Bad input anywhere in the directory API: a clear typed error and no change to the directory. */
describe('directory API bad input', () => {
  let f: Fixture;
  let bob: Session;
  let teamId: number;
  let channel: Channel;
  beforeAll(async () => {
    f = await startFixture();
    bob = await f.user('bob');
    teamId = (await ok<{ id: number }>(f.api('POST', '/api/teams', { name: 'core' }, f.admin.accessToken))).id;
    await ok(f.api('POST', `/api/teams/${teamId}/members`, { username: 'bob' }, f.admin.accessToken));
    channel = await ok<Channel>(f.api('POST', `/api/teams/${teamId}/channels`, { name: 'general' }, f.admin.accessToken));
  });
  afterAll(() => f.close());

  const cases: Array<[string, ErrorKind, () => [string, string, unknown?]]> = [
    ['unknown team', 'NotFound', () => ['POST', '/api/teams/424242/channels', { name: 'x' }]],
    ['unknown channel', 'NotFound', () => ['POST', '/api/channels/424242/join']],
    ['unknown channel on members', 'NotFound', () => ['POST', '/api/channels/424242/members', { username: 'bob' }]],
    ['unknown user in a path', 'NotFound', () => ['DELETE', `/api/channels/${channel.id}/members/424242`]],
    ['unknown user in a body', 'NotFound', () => ['POST', `/api/channels/${channel.id}/members`, { username: 'nobody' }]],
    ['unknown user for a team', 'NotFound', () => ['POST', `/api/teams/${teamId}/members`, { username: 'nobody' }]],
    ['unknown team owner', 'NotFound', () => ['POST', '/api/teams', { name: 'other', owner: 'nobody' }]],
    ['an id that is not a number', 'BadRequest', () => ['POST', '/api/channels/abc/join']],
    ['a negative id', 'BadRequest', () => ['GET', `/api/teams/-1/members`]],
    ['a name too long', 'BadRequest', () => ['POST', `/api/teams/${teamId}/channels`, { name: 'x'.repeat(65) }]],
    ['a name with capitals and spaces', 'BadRequest', () => ['POST', `/api/teams/${teamId}/channels`, { name: 'Big Room' }]],
    ['a wrong type', 'BadRequest', () => ['POST', `/api/teams/${teamId}/channels`, { name: 42 }]],
    ['an unknown visibility', 'BadRequest', () => ['POST', `/api/teams/${teamId}/channels`, { name: 'v', visibility: 'secret' }]],
    ['a DM visibility for a team channel', 'BadRequest', () => ['POST', `/api/teams/${teamId}/channels`, { name: 'v', visibility: 'direct' }]],
    ['a capacity of zero', 'BadRequest', () => ['POST', `/api/teams/${teamId}/channels`, { name: 'v', capacity: 0 }]],
    ['a fractional capacity', 'BadRequest', () => ['PATCH', `/api/channels/${channel.id}`, { capacity: 2.5 }]],
    ['an unknown field', 'BadRequest', () => ['POST', `/api/teams/${teamId}/channels`, { name: 'v', colour: 'red' }]],
    ['a body that is not JSON', 'BadRequest', () => ['POST', `/api/teams/${teamId}/channels`, '{not json']],
    ['a duplicate channel name', 'Conflict', () => ['POST', `/api/teams/${teamId}/channels`, { name: 'general' }]],
    ['a duplicate team name', 'Conflict', () => ['POST', '/api/teams', { name: 'core' }]],
    ['a duplicate username', 'Conflict', () => ['POST', '/api/users', { username: 'bob', password: 'another fine password' }]],
    ['an unknown role', 'BadRequest', () => ['POST', `/api/teams/${teamId}/members`, { username: 'admin', role: 'emperor' }]],
    ['banning yourself', 'BadRequest', () => ['PUT', `/api/channels/${channel.id}/bans/${f.admin.userId}`]],
    ['unbanning someone not banned', 'NotFound', () => ['DELETE', `/api/channels/${channel.id}/bans/${bob.userId}`]],
    ['asking to join a public channel', 'BadRequest', () => ['POST', `/api/channels/${channel.id}/requests`]],
    ['leaving a channel you are not in', 'Forbidden', () => ['POST', `/api/channels/${channel.id}/leave`]],
  ];

  for (const [what, kind, request] of cases) {
    it(`${what} → ${kind}`, async () => {
      const [method, path, body] = request();
      const as = what === 'leaving a channel you are not in' ? bob : f.admin;
      await refusedWithoutChange(f, kind, async () => {
        if (typeof body !== 'string') return f.api(method, path, body, as.accessToken);
        const res = await fetch(f.server.url + path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${as.accessToken}` }, body });
        return { status: res.status, body: await res.json() };
      });
    });
  }

  it('answers each kind with its HTTP status', async () => {
    expect((await f.api('POST', '/api/channels/424242/join', undefined, bob.accessToken)).status).toBe(404);
    expect((await f.api('POST', `/api/teams/${teamId}/channels`, { name: 'general' }, bob.accessToken)).status).toBe(409);
    expect((await f.api('POST', `/api/teams/${teamId}/channels`, { name: 7 }, bob.accessToken)).status).toBe(400);
    expect((await f.api('PUT', `/api/channels/${channel.id}/bans/${f.admin.userId}`, undefined, bob.accessToken)).status).toBe(403);
  });
});
