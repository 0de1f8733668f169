import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Session } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import { channelPrefix, startFixture, teamWithChannel, textObject, type Fixture } from '../fixture.ts';
import { ok } from './helpers.ts';

type Removal = (f: Fixture, ctx: { teamId: number; channel: Channel; user: Session }) => Promise<unknown>;

/** Every way of losing a channel, made through the API as a user would. */
const REMOVALS: Record<string, Removal> = {
  'removed by the channel owner': (f, { channel, user }) => ok(f.api('DELETE', `/api/channels/${channel.id}/members/${user.userId}`, undefined, f.admin.accessToken)),
  'banned': (f, { channel, user }) => ok(f.api('PUT', `/api/channels/${channel.id}/bans/${user.userId}`, undefined, f.admin.accessToken)),
  'leaving': (f, { channel, user }) => ok(f.api('POST', `/api/channels/${channel.id}/leave`, undefined, user.accessToken)),
  'removed from the team': (f, { teamId, user }) => ok(f.api('DELETE', `/api/teams/${teamId}/members/${user.userId}`, undefined, f.admin.accessToken)),
};

/**
 * A user who loses a channel stops receiving from it at once: every live subscription of
 * theirs there gets `err` Forbidden naming its prefix, and no object, presence or typing
 * frame after it — while their subscriptions elsewhere go on.
 */
describe('a removed member’s live subscriptions end at once', () => {
  let f: Fixture;
  let n = 0;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  for (const [how, remove] of Object.entries(REMOVALS)) {
    it(how, async () => {
      const user = await f.user(`user${++n}`);
      const { teamId, channel } = await teamWithChannel(f, [user], `lose${n}`);
      const { channel: kept } = await teamWithChannel(f, [user], `keep${n}`);
      const c = await RawClient.connect(f.server.wsUrl, user.accessToken);
      const watcher = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
      // two subscriptions to the lost channel (the whole channel, and one device stream) and one elsewhere
      expect(await c.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: 72 })).toEqual({ t: 'subok', id: 1 });
      const adminStream = textObject(channel, f.admin, 1, 'x').name.slice();
      adminStream.fill(0, 12);
      expect(await c.request({ t: 'sub', id: 2, prefix: adminStream, bits: 96 })).toEqual({ t: 'subok', id: 2 });
      expect(await c.request({ t: 'sub', id: 3, prefix: channelPrefix(kept), bits: 72 })).toEqual({ t: 'subok', id: 3 });
      await watcher.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: 72 });
      c.send({ t: 'hb', status: 'active', watch: [{ prefix: channelPrefix(channel), bits: 72, digest: '0000000000000000' }] });
      await watcher.until(() => watcher.received.some((fr) => fr.t === 'presence' && fr.change?.user === user.username && fr.change.status === 'active'));
      await watcher.request({ t: 'pub', id: 2, obj: textObject(channel, f.admin, n * 10 + 1, 'before').bytes });
      await c.until(() => c.received.some((fr) => fr.t === 'obj'));

      const errs = () => c.received.filter((fr) => fr.t === 'err');
      await remove(f, { teamId, channel, user });
      // told at once — before any heartbeat could have noticed — one err per subscription, naming its prefix
      await c.until(() => errs().length === 2, 2_000);
      expect(errs()).toEqual([
        { t: 'err', kind: 'Forbidden', msg: expect.any(String), prefix: channelPrefix(channel), bits: 72 },
        { t: 'err', kind: 'Forbidden', msg: expect.any(String), prefix: adminStream, bits: 96 },
      ]);
      // the others in the room see them go
      await watcher.until(() => watcher.received.some((fr) => fr.t === 'presence' && fr.change?.user === user.username && fr.change.status === 'gone'));
      const seen = c.received.length;

      await watcher.request({ t: 'pub', id: 3, obj: textObject(channel, f.admin, n * 10 + 2, 'after').bytes });
      watcher.send({ t: 'typing', channel: channelPrefix(channel) });
      await watcher.request({ t: 'pub', id: 4, obj: textObject(kept, f.admin, n * 10 + 3, 'elsewhere').bytes });
      await c.until(() => c.received.some((fr, i) => i >= seen && fr.t === 'obj'));
      await c.request({ t: 'ping', id: 99 });
      // after the err: only the kept channel's object (and the pong), nothing from the lost one
      const later = c.received.slice(seen);
      expect(later.map((fr) => fr.t)).toEqual(['obj', 'pong']);
      const obj = later[0]!.t === 'obj' ? later[0]!.obj : new Uint8Array();
      expect(obj.subarray(2, 11)).toEqual(channelPrefix(kept).subarray(0, 9));
      c.close();
      watcher.close();
    });
  }

  it('the connection forgets the ended subscriptions: added back, it subscribes again under the same ids', async () => {
    const user = await f.user('returning');
    const { channel } = await teamWithChannel(f, [user], 'again');
    const c = await RawClient.connect(f.server.wsUrl, user.accessToken);
    expect(await c.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: 72 })).toEqual({ t: 'subok', id: 1 });
    await ok(f.api('DELETE', `/api/channels/${channel.id}/members/${user.userId}`, undefined, f.admin.accessToken));
    await c.until(() => c.received.some((fr) => fr.t === 'err'));
    await ok(f.api('POST', `/api/channels/${channel.id}/members`, { username: user.username }, f.admin.accessToken));
    expect(await c.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: 72 })).toEqual({ t: 'subok', id: 1 });
    const admin = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    await admin.request({ t: 'pub', id: 1, obj: textObject(channel, f.admin, 1, 'welcome back').bytes });
    await c.until(() => c.received.some((fr) => fr.t === 'obj'));
    c.close();
    admin.close();
  });
});
