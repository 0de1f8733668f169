import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, JoinRequest, Me, Session } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import { channelPrefix, startFixture, textObject, type Fixture } from '../fixture.ts';
import { ok, refusedWithoutChange } from './helpers.ts';

/** A restricted channel: anyone in the team asks; the owner accepts or refuses each request. */
describe('restricted channel', () => {
  let f: Fixture;
  let owner: Session;
  let carol: Session;
  let gina: Session;
  let dan: Session;
  let teamId: number;
  let room: Channel;
  beforeAll(async () => {
    f = await startFixture();
    [owner, carol, gina, dan] = [await f.user('owner'), await f.user('carol'), await f.user('gina'), await f.user('dan')];
    teamId = (await ok<{ id: number }>(f.api('POST', '/api/teams', { name: 'core' }, f.admin.accessToken))).id;
    for (const [u, role] of [[owner, 'member'], [carol, 'member'], [gina, 'guest'], [dan, 'member']] as const) {
      await ok(f.api('POST', `/api/teams/${teamId}/members`, { username: u.username, role }, f.admin.accessToken));
    }
    room = await ok<Channel>(f.api('POST', `/api/teams/${teamId}/channels`, { name: 'board', visibility: 'restricted', topic: 'ask first' }, owner.accessToken));
  });
  afterAll(() => f.close());

  it('a team member asks; cannot read or post until the owner accepts, then can', async () => {
    const c = await RawClient.connect(f.server.wsUrl, carol.accessToken);
    const asked = await f.api<JoinRequest>('POST', `/api/channels/${room.id}/requests`, undefined, carol.accessToken);
    expect(asked).toMatchObject({ status: 201, body: { userId: carol.userId, username: 'carol', state: 'pending' } });
    // asking again while it waits changes nothing
    expect(await f.api('POST', `/api/channels/${room.id}/requests`, undefined, carol.accessToken)).toMatchObject({ status: 200, body: { state: 'pending', asked: asked.body.asked } });

    expect(await c.request({ t: 'pub', id: 1, obj: textObject(room, carol, 1, 'too early').bytes })).toMatchObject({ t: 'err', kind: 'Forbidden' });
    expect(await c.request({ t: 'hist', id: 2, channel: channelPrefix(room), limit: 10 })).toMatchObject({ t: 'err', kind: 'Forbidden' });
    expect(await c.request({ t: 'sub', id: 3, prefix: channelPrefix(room), bits: 72 })).toMatchObject({ t: 'err', kind: 'Forbidden' });

    const listed = await ok<JoinRequest[]>(f.api('GET', `/api/channels/${room.id}/requests`, undefined, owner.accessToken));
    expect(listed).toEqual([expect.objectContaining({ username: 'carol', state: 'pending' })]);
    const me = await ok<Me>(f.api('GET', '/api/me', undefined, carol.accessToken));
    expect(me.teams[0]!.channels.find((ch) => ch.id === room.id)).toMatchObject({ member: false, request: 'pending', topic: 'ask first' });

    await ok(f.api('POST', `/api/channels/${room.id}/requests/${carol.userId}/accept`, undefined, owner.accessToken));
    expect(await c.request({ t: 'pub', id: 4, obj: textObject(room, carol, 1, 'in at last').bytes })).toMatchObject({ t: 'ack' });
    expect(await c.request({ t: 'hist', id: 5, channel: channelPrefix(room), limit: 10 })).toMatchObject({ t: 'page', objs: [expect.anything()] });
    expect(await ok(f.api('GET', `/api/channels/${room.id}/requests`, undefined, owner.accessToken))).toEqual([]);
    // a member asking is a Conflict, and nothing changes
    await refusedWithoutChange(f, 'Conflict', () => f.api('POST', `/api/channels/${room.id}/requests`, undefined, carol.accessToken));
    c.close();
  });

  it('a refused request stays refused: asking again is Forbidden and changes nothing', async () => {
    await ok(f.api('POST', `/api/channels/${room.id}/requests`, undefined, dan.accessToken));
    await ok(f.api('POST', `/api/channels/${room.id}/requests/${dan.userId}/refuse`, undefined, owner.accessToken));
    expect(await ok(f.api('GET', `/api/channels/${room.id}/requests`, undefined, owner.accessToken))).toEqual([
      expect.objectContaining({ username: 'dan', state: 'refused', decidedBy: 'owner' }),
    ]);
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${room.id}/requests`, undefined, dan.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${room.id}/join`, undefined, dan.accessToken));
    const me = await ok<Me>(f.api('GET', '/api/me', undefined, dan.accessToken));
    expect(me.teams[0]!.channels.find((ch) => ch.id === room.id)).toMatchObject({ member: false, request: 'refused' });
    const c = await RawClient.connect(f.server.wsUrl, dan.accessToken);
    expect(await c.request({ t: 'hist', id: 1, channel: channelPrefix(room), limit: 10 })).toMatchObject({ t: 'err', kind: 'Forbidden' });
    c.close();
  });

  it('guests may ask too (join on a restricted channel asks), and only moderators decide', async () => {
    const joined = await ok<Channel>(f.api('POST', `/api/channels/${room.id}/join`, undefined, gina.accessToken));
    expect(joined).toMatchObject({ member: false, request: 'pending' });
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${room.id}/requests/${gina.userId}/accept`, undefined, carol.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('GET', `/api/channels/${room.id}/requests`, undefined, gina.accessToken));
    await ok(f.api('POST', `/api/channels/${room.id}/requests/${gina.userId}/accept`, undefined, f.admin.accessToken));
    const members = await ok<Array<{ username: string }>>(f.api('GET', `/api/channels/${room.id}/members`, undefined, gina.accessToken));
    expect(members.map((m) => m.username).sort()).toEqual(['carol', 'gina', 'owner']);
  });

  it('a user cannot add themselves, and deciding an unknown request is NotFound; neither changes anything', async () => {
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${room.id}/members`, { username: 'dan' }, dan.accessToken));
    await refusedWithoutChange(f, 'NotFound', () => f.api('POST', `/api/channels/${room.id}/requests/${f.admin.userId}/accept`, undefined, owner.accessToken));
    await refusedWithoutChange(f, 'NotFound', () => f.api('POST', `/api/channels/${room.id}/requests/999999/refuse`, undefined, owner.accessToken));
  });
});
