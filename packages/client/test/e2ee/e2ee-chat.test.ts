import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MichatClient, type ChannelView } from '../../src/index.ts';
import { eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

describe('end-to-end encrypted channels', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  const texts = (v: ChannelView) => v.messages().map((m) => m.text);

  it('members read each other; the server holds no plaintext', async () => {
    const alice = await f.user('alice', { store: new MemoryStore(), e2ee: true });
    const bob = await f.user('bob', { store: new MemoryStore(), e2ee: true });
    const errors: Error[] = [];
    alice.on('error', (e) => errors.push(e));
    bob.on('error', (e) => errors.push(e));
    // Signed in before: their keys and KeyPackages are up when the channel starts.
    await Promise.all([alice.e2ee!.ready(), bob.e2ee!.ready()]);
    const channel = await f.channel([alice, bob]);
    const av = alice.channel(channel);
    const bv = bob.channel(channel);
    await Promise.all([av.synced, bv.synced]);
    await (await av.send('hello bob, marker-1')).delivered;
    await eventually(() => texts(bv).includes('hello bob, marker-1'), 10_000, `bob reads it: ${JSON.stringify(bv.messages().map((m) => m.undecryptable))} ${errors.map((e) => e.message)}`);
    expect(bv.messages()[0]).toMatchObject({ e2ee: true, username: 'alice' });
    await (await bv.send('hi alice, marker-2')).delivered;
    await eventually(() => texts(av).includes('hi alice, marker-2'), 10_000, 'alice reads the answer');
    expect(errors).toEqual([]);
  });

  it('a device nobody online can add joins by itself with an external Commit', async () => {
    const aliceStore = new MemoryStore();
    const alice = await f.user('dora', { store: aliceStore, e2ee: true });
    const bob = await f.user('eric', { store: new MemoryStore(), e2ee: true });
    await alice.e2ee!.ready();
    const channel = await f.channel([alice, bob]);
    const av = alice.channel(channel);
    await av.synced;
    await (await av.send('only dora is here')).delivered;
    const session = alice.session;
    await alice.close(); // nobody in the group is online now

    await bob.e2ee!.ready();
    const bv = bob.channel(channel);
    await bv.synced;
    await (await bv.send('eric joined by himself')).delivered;
    expect(bob.e2ee!.group(channel.key).members.map((m) => m.userId).sort()).toEqual([session.userId, bob.session.userId].sort());

    // Dora comes back on the same device and reads it.
    const again = f.track(new MichatClient(f.server.url, session, { store: aliceStore, e2ee: true }));
    const av2 = again.channel(channel);
    await eventually(() => texts(av2).includes('eric joined by himself'), 10_000, 'dora reads eric');
  });

  it('two tabs of one device seal from one ratchet: every message they send is readable', async () => {
    const shared = new MemoryStore();
    const tab1 = await f.user('gina', { store: shared, e2ee: true });
    const tab2 = f.track(new MichatClient(f.server.url, tab1.session, { store: shared, e2ee: true }));
    const reader = await f.user('hank', { store: new MemoryStore(), e2ee: true });
    await Promise.all([tab1.e2ee!.ready(), reader.e2ee!.ready()]);
    const channel = await f.channel([tab1, reader]);
    const [v1, v2, rv] = [tab1.channel(channel), tab2.channel(channel), reader.channel(channel)];
    await Promise.all([v1.synced, v2.synced, rv.synced]);
    const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? v1 : v2).send(`tab message ${i}`)));
    await Promise.all(sent.map((q) => q.delivered));
    await eventually(() => texts(rv).filter((t) => t.startsWith('tab message')).length === 10, 10_000, 'hank reads all ten');
    expect(rv.messages().filter((m) => m.undecryptable)).toEqual([]);
  });
});
