import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Session } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import { channelPrefix, startFixture, textObject, type Fixture } from '../fixture.ts';
import { ok, refusedWithoutChange } from './helpers.ts';

/** Topic (MOTD), capacity and archiving, set by the channel owner or a team manager. */
describe('channel settings', () => {
  let f: Fixture;
  let owner: Session;
  let users: Session[];
  let teamId: number;
  beforeAll(async () => {
    f = await startFixture();
    owner = await f.user('owner');
    users = [await f.user('u1'), await f.user('u2'), await f.user('u3')];
    teamId = (await ok<{ id: number }>(f.api('POST', '/api/teams', { name: 'core', owner: 'owner' }, f.admin.accessToken))).id;
    for (const u of users) await ok(f.api('POST', `/api/teams/${teamId}/members`, { username: u.username }, owner.accessToken));
  });
  afterAll(() => f.close());

  const channel = (name: string, extra: object = {}) => ok<Channel>(f.api('POST', `/api/teams/${teamId}/channels`, { name, ...extra }, owner.accessToken));

  it('sets and clears the topic; a topic over the limit is BadRequest and changes nothing', async () => {
    const ch = await channel('news', { topic: 'welcome' });
    expect(ch).toMatchObject({ topic: 'welcome', owner: true, member: true });
    expect(await ok(f.api('PATCH', `/api/channels/${ch.id}`, { topic: 'read the rules' }, owner.accessToken))).toMatchObject({ topic: 'read the rules' });
    expect(await ok(f.api('GET', `/api/channels/${ch.id}`, undefined, users[0]!.accessToken))).toMatchObject({ topic: 'read the rules', member: false });
    await refusedWithoutChange(f, 'BadRequest', () => f.api('PATCH', `/api/channels/${ch.id}`, { topic: 'x'.repeat(501) }, owner.accessToken));
    await refusedWithoutChange(f, 'BadRequest', () => f.api('PATCH', `/api/channels/${ch.id}`, {}, owner.accessToken));
    await refusedWithoutChange(f, 'BadRequest', () => f.api('PATCH', `/api/channels/${ch.id}`, { name: 'renamed' }, owner.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('PATCH', `/api/channels/${ch.id}`, { topic: 'mine now' }, users[0]!.accessToken));
    const cleared = await ok<Channel>(f.api('PATCH', `/api/channels/${ch.id}`, { topic: null }, owner.accessToken));
    expect(cleared.topic).toBeUndefined();
  });

  it('refuses to add past capacity with Conflict, changing nothing; joins, adds and accepts all count', async () => {
    const ch = await channel('small', { capacity: 2 });
    await ok(f.api('POST', `/api/channels/${ch.id}/join`, undefined, users[0]!.accessToken));
    await refusedWithoutChange(f, 'Conflict', () => f.api('POST', `/api/channels/${ch.id}/join`, undefined, users[1]!.accessToken));
    await refusedWithoutChange(f, 'Conflict', () => f.api('POST', `/api/channels/${ch.id}/members`, { username: 'u2' }, owner.accessToken));
    // capacity cannot go below the member count
    await refusedWithoutChange(f, 'Conflict', () => f.api('PATCH', `/api/channels/${ch.id}`, { capacity: 1 }, owner.accessToken));
    await ok(f.api('PATCH', `/api/channels/${ch.id}`, { capacity: 3 }, owner.accessToken));
    await ok(f.api('POST', `/api/channels/${ch.id}/members`, { username: 'u2' }, owner.accessToken));

    const gated = await channel('gated', { visibility: 'restricted', capacity: 1 });
    await ok(f.api('POST', `/api/channels/${gated.id}/requests`, undefined, users[2]!.accessToken));
    await refusedWithoutChange(f, 'Conflict', () => f.api('POST', `/api/channels/${gated.id}/requests/${users[2]!.userId}/accept`, undefined, owner.accessToken));
  });

  it('an archived channel refuses publishes with a typed error and stores nothing; history stays readable', async () => {
    const ch = await channel('old');
    await ok(f.api('POST', `/api/channels/${ch.id}/join`, undefined, users[0]!.accessToken));
    const c = await RawClient.connect(f.server.wsUrl, users[0]!.accessToken);
    const first = textObject(ch, users[0]!, 1, 'before the archive');
    expect(await c.request({ t: 'pub', id: 1, obj: first.bytes })).toMatchObject({ t: 'ack', dup: false });

    expect(await ok(f.api('PATCH', `/api/channels/${ch.id}`, { archived: true }, owner.accessToken))).toMatchObject({ archived: true });
    const refused = await c.request({ t: 'pub', id: 2, obj: textObject(ch, users[0]!, 2, 'after the archive').bytes });
    expect(refused).toMatchObject({ t: 'err', id: 2, kind: 'Forbidden', msg: expect.stringContaining('archived') });
    // a retry of what was stored before still settles as a duplicate
    expect(await c.request({ t: 'pub', id: 3, obj: first.bytes })).toMatchObject({ t: 'ack', dup: true });
    const page = await c.request({ t: 'hist', id: 4, channel: channelPrefix(ch), limit: 10 });
    expect(page).toMatchObject({ t: 'page', objs: [expect.anything()] });
    expect(await c.request({ t: 'sub', id: 5, prefix: channelPrefix(ch), bits: 72 })).toEqual({ t: 'subok', id: 5 });

    await ok(f.api('PATCH', `/api/channels/${ch.id}`, { archived: false }, owner.accessToken));
    expect(await c.request({ t: 'pub', id: 6, obj: textObject(ch, users[0]!, 2, 'open again').bytes })).toMatchObject({ t: 'ack' });
    c.close();
  });
});
