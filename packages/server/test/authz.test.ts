import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeName, nameFields, type Channel, type Session } from '@michat/protocol';
import { encodeObject } from '@michat/protocol';
import { channelPrefix, startFixture, teamWithChannel, textObject, type Fixture } from './fixture.ts';
import { RawClient } from '@michat/testkit';

/** Every data-plane operation is checked: default deny, typed errors, nothing stored. */
describe('data-plane authorization', () => {
  let f: Fixture;
  let bob: Session;
  let eve: Session;
  let channel: Channel;
  let admin: RawClient;
  beforeAll(async () => {
    f = await startFixture();
    bob = await f.user('bob');
    eve = await f.user('eve'); // same org, not in the team or channel
    ({ channel } = await teamWithChannel(f, [bob]));
    admin = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
  });
  afterAll(async () => {
    admin.close();
    await f.close();
  });

  async function historyCount(): Promise<number> {
    const page = await admin.request({ t: 'hist', id: 900 + Math.floor(Math.random() * 1000), channel: channelPrefix(channel), limit: 500 });
    if (page.t !== 'page') throw new Error(JSON.stringify(page));
    return page.objs.length;
  }

  it('refuses a publish under another device id and stores nothing', async () => {
    const before = await historyCount();
    const c = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    const spoofed = textObject(channel, f.admin, 1, 'I am admin'); // admin's device, bob's token
    const answer = await c.request({ t: 'pub', id: 1, obj: spoofed.bytes });
    expect(answer).toMatchObject({ t: 'err', id: 1, kind: 'Forbidden' });
    expect(await historyCount()).toBe(before);
    c.close();
  });

  it('refuses publish, subscribe and history to a non-member, storing nothing', async () => {
    const before = await historyCount();
    const c = await RawClient.connect(f.server.wsUrl, eve.accessToken);
    const obj = textObject(channel, eve, 1, 'let me in');
    expect(await c.request({ t: 'pub', id: 1, obj: obj.bytes })).toMatchObject({ t: 'err', id: 1, kind: 'Forbidden' });
    expect(await c.request({ t: 'sub', id: 2, prefix: channelPrefix(channel), bits: 72 })).toMatchObject({ t: 'err', id: 2, kind: 'Forbidden' });
    expect(await c.request({ t: 'hist', id: 3, channel: channelPrefix(channel), limit: 10 })).toMatchObject({ t: 'err', id: 3, kind: 'Forbidden' });
    expect(await c.request({ t: 'sync', id: 4, prefix: channelPrefix(channel), bits: 72, since: [] })).toMatchObject({ t: 'err', id: 4, kind: 'Forbidden' });
    expect(await historyCount()).toBe(before);
    // and a member's live message never reaches the refused subscriber
    const m = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    expect(await m.request({ t: 'pub', id: 5, obj: textObject(channel, bob, 1, 'members only').bytes })).toMatchObject({ t: 'ack' });
    await new Promise((r) => setTimeout(r, 100));
    expect(c.received.filter((fr) => fr.t === 'obj')).toHaveLength(0);
    c.close();
    m.close();
  });

  it('answers a channel that does not exist with NotFound', async () => {
    const c = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    const ghost = makeName({ ...nameFields(channelPrefix(channel)), channel: 4242, device: bob.deviceId, seq: 1 });
    const obj = encodeObject({ name: ghost, created: Date.now(), keyEpoch: 0 }, new Uint8Array([1]));
    expect(await c.request({ t: 'pub', id: 1, obj: obj.bytes })).toMatchObject({ t: 'err', kind: 'NotFound' });
    c.close();
  });

  it('closes a connection whose hello carries a forged or missing token', async () => {
    const c = await RawClient.open(f.server.wsUrl);
    c.send({ t: 'hello', versions: [1], token: `${f.admin.accessToken.slice(0, -4)}AAAA` });
    expect(await c.next(() => true)).toMatchObject({ t: 'err', kind: 'Unauthorized' });
    expect((await c.closed).code).toBe(4401);
    const d = await RawClient.open(f.server.wsUrl);
    d.send({ t: 'pub', id: 1, obj: new Uint8Array(40) });
    expect(await d.next(() => true)).toMatchObject({ t: 'err', kind: 'Unauthorized' });
    expect((await d.closed).code).toBe(4401);
  });

  it('refuses the HTTP API without a valid bearer token', async () => {
    expect((await f.api('GET', '/api/me')).status).toBe(401);
    expect((await f.api('GET', '/api/me', undefined, 'not-a-token')).status).toBe(401);
    const created = await f.api('POST', '/api/teams', { name: 'sneaky' }, bob.accessToken);
    expect(created).toMatchObject({ status: 403, body: { error: { kind: 'Forbidden' } } });
  });
});
