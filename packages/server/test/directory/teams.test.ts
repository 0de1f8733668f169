import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Me, Member, Session } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import { PASSWORD, channelPrefix, startFixture, textObject, type Fixture } from '../fixture.ts';
import { foreignUser, ok, refusedWithoutChange } from './helpers.ts';

/** Teams: roles, guests, members from other orgs, and removal from a team and its channels. */
describe('teams', () => {
  let f: Fixture;
  let olga: Session; // team owner
  let mia: Session; // member
  let gus: Session; // guest
  let xu: Session; // from another org
  let teamId: number;
  let general: Channel;
  let secret: Channel;
  let gated: Channel;
  beforeAll(async () => {
    f = await startFixture();
    [olga, mia, gus] = [await f.user('olga'), await f.user('mia'), await f.user('gus')];
    xu = await foreignUser(f, 'initech', 'xu');
    teamId = (await ok<{ id: number }>(f.api('POST', '/api/teams', { name: 'core', owner: 'olga' }, f.admin.accessToken))).id;
    await ok(f.api('POST', `/api/teams/${teamId}/members`, { username: 'mia' }, olga.accessToken));
    await ok(f.api('POST', `/api/teams/${teamId}/members`, { username: 'gus', role: 'guest' }, olga.accessToken));
    general = await ok<Channel>(f.api('POST', `/api/teams/${teamId}/channels`, { name: 'general' }, olga.accessToken));
    secret = await ok<Channel>(f.api('POST', `/api/teams/${teamId}/channels`, { name: 'secret', visibility: 'private' }, olga.accessToken));
    gated = await ok<Channel>(f.api('POST', `/api/teams/${teamId}/channels`, { name: 'gated', visibility: 'restricted' }, olga.accessToken));
  });
  afterAll(() => f.close());

  it('a guest cannot create channels, join public ones, or add anyone; nothing changes', async () => {
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/teams/${teamId}/channels`, { name: 'mine' }, gus.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${general.id}/join`, undefined, gus.accessToken));
    await ok(f.api('POST', `/api/channels/${general.id}/members`, { username: 'gus' }, olga.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${general.id}/members`, { username: 'mia' }, gus.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/teams/${teamId}/members`, { username: 'xu' }, gus.accessToken));
  });

  it('a guest sees only the channels they are in, and restricted ones to ask into', async () => {
    const me = await ok<Me>(f.api('GET', '/api/me', undefined, gus.accessToken));
    expect(me.teams[0]!.channels.map((c) => c.name).sort()).toEqual(['gated', 'general']);
    await refusedWithoutChange(f, 'Forbidden', () => f.api('GET', `/api/channels/${secret.id}`, undefined, gus.accessToken));
    const member = await ok<Me>(f.api('GET', '/api/me', undefined, mia.accessToken));
    expect(member.teams[0]!.channels.map((c) => c.name).sort()).toEqual(['gated', 'general']);
    const owner = await ok<Me>(f.api('GET', '/api/me', undefined, olga.accessToken));
    expect(owner.teams[0]!.channels.map((c) => c.name).sort()).toEqual(['gated', 'general', 'secret']);
  });

  it('a team owner adds a user of another org, who then chats in the team’s channels', async () => {
    await ok(f.api('POST', `/api/teams/${teamId}/members`, { username: 'xu' }, olga.accessToken));
    await ok(f.api('POST', `/api/channels/${general.id}/join`, undefined, xu.accessToken));
    const me = await ok<Me>(f.api('GET', '/api/me', undefined, xu.accessToken));
    expect(me.org.name).toBe('initech');
    expect(me.teams).toEqual([expect.objectContaining({ id: teamId, name: 'core', role: 'member' })]);
    const c = await RawClient.connect(f.server.wsUrl, xu.accessToken);
    expect(await c.request({ t: 'pub', id: 1, obj: textObject(general, xu, 1, 'hello from initech').bytes })).toMatchObject({ t: 'ack' });
    c.close();
    // their own org's admin has no say over this team
    await f.server.node.directory.createUser({ orgId: me.org.id, username: 'boss', password: PASSWORD, orgAdmin: true });
    const boss = await f.login('boss');
    await refusedWithoutChange(f, 'Forbidden', () => f.api('DELETE', `/api/teams/${teamId}/members/${xu.userId}`, undefined, boss.accessToken));
  });

  it('roles: admins manage members but not owners; the last owner stays; changes are checked', async () => {
    await ok(f.api('PATCH', `/api/teams/${teamId}/members/${mia.userId}`, { role: 'admin' }, olga.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('PATCH', `/api/teams/${teamId}/members/${mia.userId}`, { role: 'owner' }, mia.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('DELETE', `/api/teams/${teamId}/members/${olga.userId}`, undefined, mia.accessToken));
    await refusedWithoutChange(f, 'Conflict', () => f.api('PATCH', `/api/teams/${teamId}/members/${olga.userId}`, { role: 'member' }, olga.accessToken));
    await refusedWithoutChange(f, 'Conflict', () => f.api('DELETE', `/api/teams/${teamId}/members/${olga.userId}`, undefined, olga.accessToken));
    await refusedWithoutChange(f, 'Conflict', () => f.api('POST', `/api/teams/${teamId}/members`, { username: 'gus' }, olga.accessToken));
    await refusedWithoutChange(f, 'BadRequest', () => f.api('PATCH', `/api/teams/${teamId}/members/${gus.userId}`, { role: 'king' }, olga.accessToken));
    await ok(f.api('PATCH', `/api/teams/${teamId}/members/${gus.userId}`, { role: 'member' }, mia.accessToken));
    const members = await ok<Member[]>(f.api('GET', `/api/teams/${teamId}/members`, undefined, gus.accessToken));
    expect(Object.fromEntries(members.map((m) => [m.username, m.role]))).toEqual({ olga: 'owner', mia: 'admin', gus: 'member', xu: 'member' });
  });

  it('removing a team member removes them from every channel of the team', async () => {
    await ok(f.api('POST', `/api/channels/${secret.id}/members`, { username: 'xu' }, olga.accessToken));
    await ok(f.api('POST', `/api/channels/${gated.id}/requests`, undefined, xu.accessToken));
    await ok(f.api('DELETE', `/api/teams/${teamId}/members/${xu.userId}`, undefined, mia.accessToken));
    for (const ch of [general, secret]) {
      const members = await ok<Array<{ username: string }>>(f.api('GET', `/api/channels/${ch.id}/members`, undefined, olga.accessToken));
      expect(members.map((m) => m.username)).not.toContain('xu');
    }
    expect(await ok(f.api('GET', `/api/channels/${gated.id}/requests`, undefined, olga.accessToken))).toEqual([]);
    const c = await RawClient.connect(f.server.wsUrl, xu.accessToken);
    expect(await c.request({ t: 'hist', id: 1, channel: channelPrefix(general), limit: 1 })).toMatchObject({ t: 'err', kind: 'Forbidden' });
    c.close();
    expect((await ok<Me>(f.api('GET', '/api/me', undefined, xu.accessToken))).teams).toEqual([]);
  });
});
