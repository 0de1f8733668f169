import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MichatError, nameToText, type MichatObject } from '@michat/protocol';
import { MichatClient, decodePayload, type ConnectionState, type PresenceEvent, type TypingEvent } from '../src/index.ts';
import { PASSWORD, eventually, sleep, startClientFixture, type ClientFixture } from './fixture.ts';

const texts = (objs: MichatObject[]) => objs.map((o) => (decodePayload(o) as { text: string }).text);

describe('messaging between two clients', () => {
  let f: ClientFixture;
  let alice: MichatClient;
  let bob: MichatClient;
  beforeAll(async () => {
    f = await startClientFixture();
    alice = await f.user('alice', { heartbeat: { minMs: 100, maxMs: 200 } });
    bob = await f.user('bob', { heartbeat: { minMs: 100, maxMs: 200 } });
  });
  afterAll(() => f.close());

  it('a text one client sends reaches the other subscriber exactly once', async () => {
    const channel = await f.channel([alice, bob]);
    const got: MichatObject[] = [];
    const sub = bob.subscribe(channel, (o) => got.push(o));
    await sub.ready;
    const sent = await alice.sendText(channel, 'hello bob');
    expect(sent.dup).toBe(false);
    await eventually(() => got.length > 0, 5_000, 'delivery');
    await sleep(500); // a few heartbeats: nothing arrives twice
    expect(got).toHaveLength(1);
    expect(nameToText(got[0]!.name)).toBe(nameToText(sent.object.name));
    expect(decodePayload(got[0]!)).toEqual({ type: 'text', text: 'hello bob' });
    expect(sub.entries()).toEqual([[alice.session.deviceId, 1]]);
    sub();
  });

  it('the sender sees its own acknowledged message in its subscription', async () => {
    const channel = await f.channel([alice]);
    const got: MichatObject[] = [];
    const sub = alice.subscribe(channel, (o) => got.push(o));
    await sub.ready;
    await alice.sendText(channel, 'note to self');
    expect(texts(got)).toEqual(['note to self']);
    sub.unsubscribe();
  });

  it('history pages newest first with cursors in both directions', async () => {
    const channel = await f.channel([alice, bob]);
    for (let i = 1; i <= 5; i++) await alice.sendText(channel, `m${i}`);
    const p1 = await bob.history(channel, { limit: 2 });
    expect(texts(p1.objects)).toEqual(['m5', 'm4']);
    expect(p1.more).toBe(true);
    const p2 = await bob.history(channel, { limit: 2, before: p1.next! });
    expect(texts(p2.objects)).toEqual(['m3', 'm2']);
    const p3 = await bob.history(channel, { limit: 2, before: p2.next! });
    expect(texts(p3.objects)).toEqual(['m1']);
    expect(p3.more).toBe(false);
    const newer = await bob.history(channel, { limit: 2, after: p3.next! });
    expect(texts(newer.objects)).toEqual(['m3', 'm2']);
    expect(newer.more).toBe(true);
  });

  it('thread history holds only the replies of that thread', async () => {
    const channel = await f.channel([alice, bob]);
    const root = await alice.sendText(channel, 'root');
    await bob.sendText(channel, 'reply 1', { threadRoot: root.object.name });
    await alice.sendText(channel, 'elsewhere');
    await bob.sendText(channel, 'reply 2', { threadRoot: root.object.name });
    const thread = await alice.history(channel, { thread: root.object.name });
    expect(texts(thread.objects)).toEqual(['reply 2', 'reply 1']);
  });

  it('presence and typing reach the other member', async () => {
    const channel = await f.channel([alice, bob]);
    const presence: PresenceEvent[] = [];
    const typing: TypingEvent[] = [];
    bob.onPresence((e) => presence.push(e));
    bob.onTyping((e) => typing.push(e));
    await bob.subscribe(channel, () => undefined).ready;
    await alice.subscribe(channel, () => undefined).ready;
    await eventually(() => bob.presence(channel).some((m) => m.user === 'alice' && m.status === 'active'), 5_000, 'alice present');
    expect(alice.typing(channel)).toBe(true);
    await eventually(() => typing.some((t) => t.user === 'alice' && t.channel === channel.key), 5_000, 'typing');
    alice.setPresence('away');
    await eventually(() => bob.presence(channel).some((m) => m.user === 'alice' && m.status === 'away'), 5_000, 'alice away');
    alice.leave(channel);
    await eventually(() => presence.some((e) => e.change?.user === 'alice' && e.change.status === 'gone'), 5_000, 'alice gone');
  });

  it('reports connecting, open and closed, and refuses work once closed', async () => {
    const carol = f.track(await MichatClient.login(f.server.url, 'admin', PASSWORD));
    const states: ConnectionState[] = [];
    carol.on('state', (s) => states.push(s));
    await carol.connect();
    await carol.close();
    await carol.close(); // idempotent
    expect(states).toEqual(['connecting', 'open', 'closed']);
    await expect(carol.sendText('000000000000000000', 'x')).rejects.toMatchObject({ kind: 'Unavailable' });
  });

  it('closing rejects a publish still waiting for a connection', async () => {
    // Port 9 (discard) on loopback: nothing listens, so the client keeps retrying.
    const offline = new MichatClient('http://127.0.0.1:9', alice.session);
    const channel = await f.channel([alice]);
    const pending = offline.sendText(channel, 'never sent').catch((e: unknown) => e);
    await sleep(100);
    expect(offline.state).toBe('connecting');
    await offline.close();
    expect(await pending).toMatchObject({ kind: 'Unavailable' });
  });

  it('HTTP failures are MichatErrors with the server kind', async () => {
    const wrong = await MichatClient.login(f.server.url, 'alice', 'not her password').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(MichatError);
    expect(wrong).toMatchObject({ kind: 'Unauthorized' });
    await expect(bob.createTeam('bobs-team')).rejects.toMatchObject({ kind: 'Forbidden' });
    await expect(bob.deviceOwner(alice.session.deviceId)).resolves.toMatchObject({ username: 'alice' });
    await expect(bob.joinChannel(999_999)).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('refuses a malformed channel key before anything is sent', async () => {
    await expect(alice.sendText('nope', 'x')).rejects.toMatchObject({ kind: 'BadRequest' });
    expect(() => alice.subscribe('zz', () => undefined)).toThrow(MichatError);
  });
});
