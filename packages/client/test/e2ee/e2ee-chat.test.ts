import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MichatClient, type ChannelView } from '../../src/index.ts';
import { PASSWORD, eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

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

  it('two new devices arriving together, while the old ones are offline, read each other at once', async () => {
    const ivyStore = new MemoryStore();
    const ivy = await f.user('ivy', { store: ivyStore, e2ee: true });
    const jon = await f.user('jon', { store: new MemoryStore(), e2ee: true });
    await Promise.all([ivy.e2ee!.ready(), jon.e2ee!.ready()]);
    const channel = await f.channel([ivy, jon]);
    const [iv, jv] = [ivy.channel(channel), jon.channel(channel)];
    await Promise.all([iv.synced, jv.synced]);
    await (await iv.send('first devices')).delivered;
    await eventually(() => texts(jv).includes('first devices'), 10_000, 'jon reads ivy');
    await Promise.all([ivy.close(), jon.close()]);

    const { MichatClient: Client } = await import('../../src/index.ts');
    const ivy2 = f.track(await Client.login(f.server.url, 'ivy', PASSWORD, { store: new MemoryStore(), e2ee: true }));
    const jon2 = f.track(await Client.login(f.server.url, 'jon', PASSWORD, { store: new MemoryStore(), e2ee: true }));
    const errors: string[] = [];
    for (const c of [ivy2, jon2]) c.on('error', (e) => errors.push(e.message));
    const [iv2, jv2] = [ivy2.channel(channel), jon2.channel(channel)];
    await Promise.all([iv2.synced, jv2.synced]);
    const started = Date.now();
    await (await iv2.send('second devices')).delivered;
    await eventually(() => texts(jv2).includes('second devices'), 10_000, () => `jon's new device reads ivy's: ${JSON.stringify(jv2.messages().map((m) => [m.text, m.undecryptable]))} ${errors.join(' | ')}`);
    console.log(`new devices: readable after ${Date.now() - started} ms`);
    // The history's keys are only on the old devices, offline: it says so, and opens once one is back.
    await eventually(() => jv2.messages().some((m) => m.undecryptable?.state === 'failed'), 10_000, 'the old message is marked');
    expect(jv2.messages().find((m) => m.undecryptable)!.undecryptable).toEqual({ state: 'failed', reason: expect.stringMatching(/no member has shared/) });
    const ivy1 = f.track(new Client(f.server.url, ivy.session, { store: ivyStore, e2ee: true }));
    ivy1.channel(channel);
    await eventually(() => texts(jv2).includes('first devices'), 15_000, 'jon reads the history once ivy’s old device is back');
  });
});
