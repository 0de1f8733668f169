import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MichatClient, encodePayload, type ChannelView } from '../../src/index.ts';
import { PASSWORD, eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

describe('chat semantics between two clients', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  const texts = (v: ChannelView) => v.messages().map((m) => m.text);

  it('mentions, reactions, edits, deletes, threads and unread counts', async () => {
    const alice = await f.user('alice', { store: new MemoryStore() });
    const bob = await f.user('bob', { store: new MemoryStore() });
    const channel = await f.channel([alice, bob]);
    const av = alice.channel(channel, { readPublishDelayMs: 50 });
    const bv = bob.channel(channel, { readPublishDelayMs: 50 });
    await Promise.all([av.synced, bv.synced]);

    // A mention: bob's unread and mention counts.
    const hello = await av.send('hello @bob', { mentions: [bob.session.userId] });
    await hello.delivered;
    await eventually(() => bv.messages()[0]?.username === 'alice', 5_000, 'bob gets it and learns who sent it');
    expect(bv.messages()[0]).toMatchObject({ text: 'hello @bob', username: 'alice', mentionsMe: true, mine: false });
    expect([bv.unread(), bv.mentions(), av.unread()]).toEqual([1, 1, 0]);

    // A reaction from bob, seen by alice; toggled off again.
    await (await bv.react(bv.messages()[0]!, '👍')).delivered;
    await eventually(() => av.messages()[0]?.reactions[0]?.users.length === 1, 5_000, 'alice sees the reaction and who made it');
    expect(av.messages()[0]!.reactions).toEqual([{ emoji: '👍', count: 1, users: [bob.session.userId], mine: false }]);
    await (await bv.react(bv.messages()[0]!, '👍')).delivered;
    await eventually(() => av.messages()[0]?.reactions.length === 0, 5_000, 'alice sees it taken back');

    // An edit by alice: bob sees the latest text, marked edited, the mention gone.
    await (await av.edit(av.messages()[0]!, 'hello everyone')).delivered;
    await eventually(() => bv.messages()[0]?.edited === true, 5_000, 'bob sees the edit');
    expect(bv.messages()[0]).toMatchObject({ text: 'hello everyone', mentionsMe: false });
    expect(bv.mentions()).toBe(0);

    // Bob may not edit alice's message: the view refuses, and a forged edit is ignored everywhere.
    expect(() => bv.edit(bv.messages()[0]!, 'pwned')).toThrow(/own messages/);
    await bob.publish(channel, encodePayload({ type: 'text', text: 'pwned', replaces: bv.messages()[0]!.name }));
    await bob.publish(channel, encodePayload({ type: 'delete', target: bv.messages()[0]!.name }));
    await bob.sendText(channel, 'marker');
    await eventually(() => texts(av).includes('marker'), 5_000, 'alice got everything bob sent');
    expect(texts(av)).toEqual(['hello everyone', 'marker']);

    // A thread: bob replies, alice sees the count and the reply.
    const root = av.messages()[0]!;
    await (await bv.send('a reply', { threadRoot: root.name })).delivered;
    await eventually(() => av.messages()[0]?.replies === 1, 5_000, 'alice sees the reply count');
    expect(av.thread(root.name).map((m) => m.text)).toEqual(['a reply']);
    expect(texts(av)).toEqual(['hello everyone', 'marker']); // replies stay in their thread

    // A delete by alice.
    await (await av.delete(root)).delivered;
    await eventually(() => bv.messages()[0]?.deleted === true, 5_000, 'bob sees the delete');
    expect(bv.messages()[0]!.text).toBe('');

    // Unread: alice has bob's marker and reply; reading clears them, and the read object
    // reaches alice's other device.
    expect(av.unread()).toBe(2);
    av.markRead();
    expect(av.unread()).toBe(0);
    const phone = f.track(await MichatClient.login(f.server.url, 'alice', PASSWORD, { store: new MemoryStore() }));
    const pv = phone.channel(channel);
    await pv.synced;
    await eventually(() => pv.unread() === 0 && pv.messages().length === 2, 5_000, 'the read mark synced to the phone');
    await bob.sendText(channel, 'one more');
    await eventually(() => pv.unread() === 1 && av.unread() === 1, 5_000, 'a new message is unread on both');
  });
});
