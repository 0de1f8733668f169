import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, teamWithChannel, textObject, channelPrefix, type Fixture } from './fixture.ts';
import { RawClient } from '@michat/testkit';

describe('publish and subscribe through a real server', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ persistent: true });
  });
  afterAll(() => f.close());

  it('a subscriber receives what a member publishes, acked after commit', async () => {
    const bob = await f.user('bob');
    const { channel } = await teamWithChannel(f, [bob]);
    const sub = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    const ok = await sub.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: 72 });
    expect(ok).toMatchObject({ t: 'subok', id: 1 });
    const pub = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const obj = textObject(channel, f.admin, 1, 'hello');
    const live = sub.next((fr) => fr.t === 'obj');
    const ack = await pub.request({ t: 'pub', id: 7, obj: obj.bytes });
    expect(ack).toMatchObject({ t: 'ack', id: 7, dup: false });
    const got = await live;
    expect(got.t === 'obj' && Buffer.from(got.obj).equals(Buffer.from(obj.bytes))).toBe(true);
    sub.close();
    pub.close();
  });
});
