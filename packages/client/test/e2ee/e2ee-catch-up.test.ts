import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryApi, MemoryStore, MichatClient, type ChannelView } from '../../src/index.ts';
import { eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

describe('end-to-end encryption: catching up several epochs at once', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  const texts = (v: ChannelView) => v.messages().map((m) => m.text);

  it('a device that applies two Commits in one go reads what was sealed in the epoch between them', async () => {
    const bobStore = new MemoryStore();
    const alice = await f.user('alice', { store: new MemoryStore(), e2ee: true });
    const bob = await f.user('bob', { store: bobStore, e2ee: true });
    const carol = await f.user('carol', { store: new MemoryStore(), e2ee: true });
    const dave = await f.user('dave', { store: new MemoryStore(), e2ee: true });
    const everyone = [alice, bob, carol, dave];
    await Promise.all(everyone.map((c) => c.e2ee!.ready()));
    const channel = await f.channel(everyone);
    const views = everyone.map((c) => c.channel(channel));
    await Promise.all(views.map((v) => v.synced));
    const [av, bv] = views as [ChannelView, ChannelView];
    const aliceGroup = alice.e2ee!.group(channel.key);
    await eventually(() => aliceGroup.members.length === 4, 10_000, 'all four in the group');
    await (await av.send('epoch one')).delivered;
    await eventually(() => texts(bv).includes('epoch one'), 10_000, 'bob reads epoch one');

    // Bob goes offline; two removals (nobody new, so nobody shares history keys) with a message between.
    const session = bob.session;
    await bob.close();
    const dir = new DirectoryApi(f.admin.http);
    const removeAndWait = async (who: MichatClient) => {
      const before = aliceGroup.epoch!;
      await dir.removeChannelMember(f.admin.session.accessToken, channel.id, who.session.userId);
      alice.e2ee!.membershipChanged();
      await eventually(() => aliceGroup.epoch === before + 1, 10_000, `${who.session.username} removed`);
    };
    await removeAndWait(dave);
    await (await av.send('between the removals')).delivered;
    await removeAndWait(carol);
    await (await av.send('after both')).delivered;

    // Back: the catch-up brings both Commits at once.
    const again = f.track(new MichatClient(f.server.url, session, { store: bobStore, e2ee: true }));
    const bv2 = again.channel(channel);
    await eventually(() => texts(bv2).includes('after both'), 10_000, 'bob reads what followed');
    await eventually(() => texts(bv2).includes('between the removals'), 5_000, `bob reads the middle epoch too: ${JSON.stringify(bv2.messages().map((m) => m.undecryptable))}`);
    expect(again.e2ee!.group(channel.key).epoch).toBe(aliceGroup.epoch);
  });
});
