import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Me, Session } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import { channelPrefix, startFixture, textObject, type Fixture } from '../fixture.ts';
import { foreignUser, ok, refusedWithoutChange } from './helpers.ts';

/** Direct messages: channels of their own under the org's team 0, with fixed members. */
describe('direct messages', () => {
  let f: Fixture;
  let ann: Session;
  let ben: Session;
  let cal: Session;
  let zed: Session; // another org, shares a team with ann only
  let yan: Session; // another org, shares nothing
  beforeAll(async () => {
    f = await startFixture();
    [ann, ben, cal] = [await f.user('ann'), await f.user('ben'), await f.user('cal')];
    zed = await foreignUser(f, 'globex', 'zed');
    yan = await foreignUser(f, 'globex', 'yan');
    const team = await ok<{ id: number }>(f.api('POST', '/api/teams', { name: 'joint', owner: 'ann' }, f.admin.accessToken));
    await ok(f.api('POST', `/api/teams/${team.id}/members`, { username: 'zed' }, ann.accessToken));
  });
  afterAll(() => f.close());

  it('a 1:1 DM is unique per pair: asking again, from either side, returns the same channel', async () => {
    const first = await f.api<Channel>('POST', '/api/dms', { usernames: ['ben'] }, ann.accessToken);
    expect(first).toMatchObject({ status: 201, body: { visibility: 'direct', teamId: 0, members: ['ann', 'ben'], member: true } });
    const again = await f.api<Channel>('POST', '/api/dms', { usernames: ['ben', 'ben', 'ann'] }, ann.accessToken);
    expect(again).toMatchObject({ status: 200, body: { id: first.body.id, key: first.body.key } });
    expect(await f.api('POST', '/api/dms', { usernames: ['ann'] }, ben.accessToken)).toMatchObject({ status: 200, body: { id: first.body.id } });
    const me = await ok<Me>(f.api('GET', '/api/me', undefined, ben.accessToken));
    expect(me.dms.map((d) => d.id)).toEqual([first.body.id]);
  });

  it('its members talk over the data plane; nobody else can read, post or join', async () => {
    const dm = await ok<Channel>(f.api('POST', '/api/dms', { usernames: ['ben'] }, ann.accessToken));
    const b = await RawClient.connect(f.server.wsUrl, ben.accessToken);
    expect(await b.request({ t: 'sub', id: 1, prefix: channelPrefix(dm), bits: 72 })).toEqual({ t: 'subok', id: 1 });
    const a = await RawClient.connect(f.server.wsUrl, ann.accessToken);
    expect(await a.request({ t: 'pub', id: 1, obj: textObject(dm, ann, 1, 'psst').bytes })).toMatchObject({ t: 'ack' });
    await b.until(() => b.received.some((fr) => fr.t === 'obj'));

    expect(await ok(f.api('GET', `/api/channels/${dm.id}`, undefined, ben.accessToken))).toMatchObject({ id: dm.id, members: ['ann', 'ben'] });
    await refusedWithoutChange(f, 'Forbidden', () => f.api('GET', `/api/channels/${dm.id}`, undefined, cal.accessToken));
    const c = await RawClient.connect(f.server.wsUrl, cal.accessToken);
    expect(await c.request({ t: 'hist', id: 1, channel: channelPrefix(dm), limit: 10 })).toMatchObject({ t: 'err', kind: 'Forbidden' });
    expect(await c.request({ t: 'pub', id: 2, obj: textObject(dm, cal, 1, 'me too').bytes })).toMatchObject({ t: 'err', kind: 'Forbidden' });
    // membership is fixed: no join, add, leave, ban or settings
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${dm.id}/join`, undefined, cal.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${dm.id}/members`, { username: 'cal' }, ann.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', `/api/channels/${dm.id}/leave`, undefined, ann.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('PUT', `/api/channels/${dm.id}/bans/${ben.userId}`, undefined, ann.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('PATCH', `/api/channels/${dm.id}`, { archived: true }, ann.accessToken));
    for (const x of [a, b, c]) x.close();
  });

  it('groups of up to 8 people are new each time; more is BadRequest and changes nothing', async () => {
    const g1 = await ok<Channel>(f.api('POST', '/api/dms', { usernames: ['ben', 'cal'] }, ann.accessToken));
    const g2 = await ok<Channel>(f.api('POST', '/api/dms', { usernames: ['ben', 'cal'] }, ann.accessToken));
    expect(g1.id).not.toBe(g2.id);
    expect(g1.members).toEqual(['ann', 'ben', 'cal']);
    await refusedWithoutChange(f, 'BadRequest', () => f.api('POST', '/api/dms', { usernames: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'] }, ann.accessToken));
    await refusedWithoutChange(f, 'BadRequest', () => f.api('POST', '/api/dms', { usernames: [] }, ann.accessToken));
    await refusedWithoutChange(f, 'BadRequest', () => f.api('POST', '/api/dms', { usernames: ['ann'] }, ann.accessToken));
    await refusedWithoutChange(f, 'BadRequest', () => f.api('POST', '/api/dms', { usernames: 'ben' }, ann.accessToken));
  });

  it('may DM their org and those they share a team with; a stranger is Forbidden, an unknown name NotFound, changing nothing', async () => {
    expect(await f.api('POST', '/api/dms', { usernames: ['zed'] }, ann.accessToken)).toMatchObject({ status: 201 });
    expect(await f.api('POST', '/api/dms', { usernames: ['ann'] }, zed.accessToken)).toMatchObject({ status: 200 });
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', '/api/dms', { usernames: ['yan'] }, ann.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', '/api/dms', { usernames: ['ben'] }, zed.accessToken));
    await refusedWithoutChange(f, 'Forbidden', () => f.api('POST', '/api/dms', { usernames: ['ben', 'yan'] }, ann.accessToken));
    await refusedWithoutChange(f, 'NotFound', () => f.api('POST', '/api/dms', { usernames: ['nobody'] }, ann.accessToken));
    // yan's org-mate zed is fine
    expect(await f.api('POST', '/api/dms', { usernames: ['zed'] }, yan.accessToken)).toMatchObject({ status: 201 });
    const people = await ok<Array<{ username: string }>>(f.api('GET', '/api/users', undefined, zed.accessToken));
    expect(people.map((p) => p.username).sort()).toEqual(['ann', 'yan', 'zed']);
  });
});
