import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayAccount } from '@michat/core';
import { RawClient } from '@michat/testkit';
import { CHANNEL_BITS, type Channel, type RelayChannel, type Session } from '@michat/protocol';
import { PASSWORD, channelPrefix, startFixture, teamWithChannel, textObject, type Fixture } from '../fixture.ts';

/** The origin's side of relays: what a relay account may do, and nothing more. */
describe('relay accounts at the origin', () => {
  let f: Fixture;
  let relay: Session;
  let alice: Session;
  let bob: Session;
  let channel: Channel;
  beforeAll(async () => {
    f = await startFixture();
    await createRelayAccount(f.server.node.directory, { orgId: f.admin.orgId, username: 'lan-relay', password: PASSWORD });
    relay = await f.login('lan-relay');
    alice = await f.user('alice');
    bob = await f.user('bob'); // in the org, not in the channel
    ({ channel } = await teamWithChannel(f, [alice]));
  });
  afterAll(() => f.close());

  it('its tokens say so (claim rly), and only its tokens', async () => {
    expect((await f.server.node.auth.verify(relay.accessToken)).relay).toBe(true);
    expect((await f.server.node.auth.verify(alice.accessToken)).relay).toBeUndefined();
  });

  it('reads who may use a channel of its org; people are refused; bad prefixes are BadRequest', async () => {
    const ok = await f.api<RelayChannel>('GET', `/api/relay/channels/${channel.key}`, undefined, relay.accessToken);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ channelId: channel.id, orgId: channel.orgId, teamId: channel.teamId, archived: false, members: [f.admin.userId, alice.userId].sort((a, b) => a - b) });
    expect((await f.api('GET', `/api/relay/channels/${channel.key}`, undefined, alice.accessToken)).status).toBe(403);
    expect((await f.api('GET', '/api/relay/channels/not-hex', undefined, relay.accessToken)).status).toBe(400);
    const unknown = channel.key.slice(0, 12) + 'ffffff';
    expect((await f.api('GET', `/api/relay/channels/${unknown}`, undefined, relay.accessToken)).status).toBe(404);
  });

  it('subscribes to any channel of its org without being a member', async () => {
    const c = await RawClient.connect(f.server.wsUrl, relay.accessToken);
    const answer = await c.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: CHANNEL_BITS });
    expect(answer.t).toBe('subok');
    c.close();
  });

  it('publishes objects of member devices, even written weeks ago; a non-member device’s is Forbidden', async () => {
    const c = await RawClient.connect(f.server.wsUrl, relay.accessToken);
    const old = textObject(channel, alice, 1, 'written on the LAN three weeks ago', { created: Date.now() - 21 * 24 * 3600_000 });
    expect(await c.request({ t: 'pub', id: 1, obj: old.bytes })).toMatchObject({ t: 'ack', dup: false });
    const stranger = textObject(channel, bob, 1, 'bob is not a member');
    expect(await c.request({ t: 'pub', id: 2, obj: stranger.bytes })).toMatchObject({ t: 'err', kind: 'Forbidden' });
    // A person may still not publish another device's object, nor backdate.
    const person = await RawClient.connect(f.server.wsUrl, alice.accessToken);
    expect(await person.request({ t: 'pub', id: 1, obj: textObject(channel, f.admin, 1, 'not my device').bytes })).toMatchObject({ t: 'err', kind: 'Forbidden' });
    expect(await person.request({ t: 'pub', id: 2, obj: textObject(channel, alice, 2, 'backdated', { created: Date.now() - 21 * 24 * 3600_000 }).bytes })).toMatchObject({ t: 'err', kind: 'ClockSkew' });
    c.close();
    person.close();
  });

  it('is not held to the frame limit: 1,500 publishes back to back are all acknowledged', async () => {
    const c = await RawClient.connect(f.server.wsUrl, relay.accessToken);
    const acks = Array.from({ length: 1_500 }, (_, i) => c.next((fr) => 'id' in fr && fr.id === 100 + i && (fr.t === 'ack' || fr.t === 'err'), 30_000));
    for (let i = 0; i < 1_500; i++) c.send({ t: 'pub', id: 100 + i, obj: textObject(channel, alice, 1_000 + i, `burst ${i}`).bytes });
    const answers = await Promise.all(acks);
    expect(answers.filter((a) => a.t === 'ack').length).toBe(1_500);
    c.close();
  }, 60_000);

  it('is nobody’s presence, and refuses another org’s channels', async () => {
    const c = await RawClient.connect(f.server.wsUrl, relay.accessToken);
    c.send({ t: 'hb', status: 'active', watch: [{ prefix: channelPrefix(channel), bits: CHANNEL_BITS, digest: '0000000000000000' }] });
    const person = await RawClient.connect(f.server.wsUrl, alice.accessToken);
    await c.until(() => c.received.some((fr) => fr.t === 'vec')); // the beat was handled
    const snapshot = await person.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: CHANNEL_BITS }).then(() => person.received.find((fr) => fr.t === 'presence'));
    expect(snapshot).toBeDefined();
    expect(JSON.stringify(snapshot)).not.toContain('lan-relay');

    const other = await initOtherOrg(f);
    const answer = await c.request({ t: 'sub', id: 9, prefix: channelPrefix(other), bits: CHANNEL_BITS });
    expect(answer).toMatchObject({ t: 'err', kind: 'Forbidden' });
    c.close();
    person.close();
  });
});

/** A second organization with a channel of its own. */
async function initOtherOrg(f: Fixture): Promise<Channel> {
  const dir = f.server.node.directory;
  const org = await dir.createOrg('globex');
  const owner = await dir.createUser({ orgId: org.id, username: 'hank', password: PASSWORD, orgAdmin: true });
  const hank = await f.login(owner.username);
  return (await teamWithChannelAs(f, hank)).channel;
}

async function teamWithChannelAs(f: Fixture, owner: Session): Promise<{ channel: Channel }> {
  const team = await f.api<{ id: number }>('POST', '/api/teams', { name: 'plant' }, owner.accessToken);
  await f.api('POST', `/api/teams/${team.body.id}/members`, { username: owner.username, role: 'owner' }, owner.accessToken);
  const ch = await f.api<Channel>('POST', `/api/teams/${team.body.id}/channels`, { name: 'floor' }, owner.accessToken);
  return { channel: ch.body };
}
