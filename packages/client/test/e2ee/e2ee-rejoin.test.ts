import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryApi, MemoryStore, type ChannelView, type MichatClient } from '../../src/index.ts';
import { eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

describe('end-to-end encryption: leaving a channel and coming back', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  const texts = (v: ChannelView) => v.messages().map((m) => m.text);
  const user = async (name: string): Promise<MichatClient> => {
    const c = await f.user(name, { store: new MemoryStore(), e2ee: true });
    await c.e2ee!.ready();
    return c;
  };

  it('a member who left and joined again is added back (a Welcome after the Commit that removed him) and reads what follows', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const channel = await f.channel([alice, bob]);
    const av = alice.channel(channel);
    let bv = bob.channel(channel);
    await Promise.all([av.synced, bv.synced]);
    await (await av.send('before bob leaves')).delivered;
    await eventually(() => texts(bv).includes('before bob leaves'), 10_000, 'bob reads alice');

    await new DirectoryApi(bob.http).leaveChannel(bob.session.accessToken, channel.id);
    alice.e2ee!.membershipChanged();
    const aliceGroup = alice.e2ee!.group(channel.key);
    await eventually(() => !aliceGroup.members.some((m) => m.userId === bob.session.userId), 10_000, 'bob leaves the group');
    await (await av.send('while bob is away')).delivered;

    // Bob comes back; his app hears of it from the directory, as alice's does, and opens the channel again.
    await bob.joinChannel(channel.id);
    bob.e2ee!.membershipChanged();
    alice.e2ee!.membershipChanged();
    await bv.close();
    bv = bob.channel(channel);
    const bobGroup = bob.e2ee!.group(channel.key);
    await eventually(
      () => bobGroup.epoch !== undefined && bobGroup.epoch === aliceGroup.epoch && bobGroup.epochAuthenticator === aliceGroup.epochAuthenticator,
      10_000,
      "bob is back in alice's group, at her epoch",
    );
    expect(aliceGroup.members.filter((m) => m.userId === bob.session.userId)).toHaveLength(1);
    await (await av.send('after bob is back')).delivered;
    await eventually(() => texts(bv).includes('after bob is back'), 10_000, 'bob reads what follows his return');
    await (await bv.send('bob again')).delivered;
    await eventually(() => texts(av).includes('bob again'), 10_000, 'alice reads bob');
  });
});
