import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameSeq, toHex, type Channel } from '@michat/protocol';
import { MemoryStore, MichatClient, decodePayload, type DeliveryEvent } from '../../src/index.ts';
import { eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

const FAST_RETRY = { backoff: { initialMs: 50, maxMs: 400 } };

/** What the server holds in the channel, oldest first: [text, seq]. */
async function onServer(f: ClientFixture, channel: Channel): Promise<Array<[string, number]>> {
  const page = await f.admin.history(channel, { limit: 500 });
  return page.objects.reverse().map((o) => [(decodePayload(o) as { text: string }).text, nameSeq(o.name)]);
}

describe('the persisted outbox', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture({ proxied: true });
  });
  afterAll(async () => {
    await f.close();
  });

  it('three messages written offline are named and stored at once, then reach the server once each, in order', async () => {
    const store = new MemoryStore();
    const alice = await f.user('alice', { ...FAST_RETRY, store }, f.proxy.url);
    const channel = await f.channel([alice]);
    await alice.connect();
    await f.proxy.cut();
    await eventually(() => alice.onlineState === 'offline', 5_000, 'alice is offline');
    const events: DeliveryEvent[] = [];
    alice.on('delivery', (e) => events.push(e));
    const queued = [];
    for (const text of ['one', 'two', 'three']) queued.push(await alice.queue(channel, new TextEncoder().encode(JSON.stringify({ type: 'text', text }))));
    expect(queued.map((q) => nameSeq(q.object.name))).toEqual([1, 2, 3]);
    expect((await store.outbox()).map((e) => [e.localId, e.state])).toEqual(queued.map((q) => [q.localId, 'pending']));
    expect(await onServer(f, channel)).toEqual([]);
    await f.proxy.restore();
    const results = await Promise.all(queued.map((q) => q.delivered));
    expect(results.every((r) => !r.dup)).toBe(true);
    expect(await onServer(f, channel)).toEqual([
      ['one', 1],
      ['two', 2],
      ['three', 3],
    ]);
    expect(await store.outbox()).toEqual([]);
    expect(events.filter((e) => e.state === 'sent').map((e) => e.localId)).toEqual(queued.map((q) => q.localId));
  });

  it('a new client over the same store resumes the outbox with the same bytes: a lost ack becomes a dup', async () => {
    const store = new MemoryStore();
    let dropAcks = true;
    const bea = await f.user('bea', { ...FAST_RETRY, store, debug: { dropInbound: (fr) => dropAcks && fr.t === 'ack' } });
    const channel = await f.channel([bea]);
    const first = await bea.queue(channel, new TextEncoder().encode('{"type":"text","text":"ack lost"}'));
    await eventually(async () => (await onServer(f, channel)).length === 1, 5_000, 'the server stores it');
    await bea.close(); // a reload: the ack never came
    await expect(first.delivered).rejects.toMatchObject({ kind: 'Unavailable' });
    expect((await store.outbox()).map((e) => e.state)).toEqual(['pending']);
    dropAcks = false;

    const reloaded = f.track((await MichatClient.resume(store, FAST_RETRY))!);
    const events: DeliveryEvent[] = [];
    reloaded.on('delivery', (e) => events.push(e));
    await reloaded.connect();
    await eventually(() => events.some((e) => e.state === 'sent'), 5_000, 'the resent message is acknowledged');
    expect(events.find((e) => e.state === 'sent')).toMatchObject({ localId: first.localId, dup: true });
    expect(await onServer(f, channel)).toEqual([['ack lost', 1]]);
    expect(await store.outbox()).toEqual([]);
  });

  it('after a Conflict the message is renumbered under a fresh seq and stored once, keeping its local id', async () => {
    const carl = await f.user('carl');
    const channel = await f.channel([carl]);
    await carl.sendText(channel, 'first');
    await carl.sendText(channel, 'second');
    // Another client of the same device whose counters know nothing of them (e.g. a restored backup).
    const store = new MemoryStore();
    const behind = f.track(new MichatClient(f.server.url, carl.session, { store }));
    const view = behind.channel(channel);
    await view.synced;
    await view.loaded;
    const events: DeliveryEvent[] = [];
    behind.on('delivery', (e) => events.push(e));
    const queued = await behind.queue(channel, new TextEncoder().encode('{"type":"text","text":"third"}'));
    expect(nameSeq(queued.object.name)).toBe(1); // a name the server already holds, with other bytes
    const result = await queued.delivered;
    expect(nameSeq(result.object.name)).toBe(3);
    expect(await onServer(f, channel)).toEqual([
      ['first', 1],
      ['second', 2],
      ['third', 3],
    ]);
    expect(new Set(events.map((e) => e.localId))).toEqual(new Set([queued.localId]));
    await eventually(() => view.messages().length === 3, 5_000, 'the view shows all three');
    expect(view.messages().map((m) => [m.text, m.state])).toEqual([
      ['first', 'sent'],
      ['second', 'sent'],
      ['third', 'sent'],
    ]);
    expect(view.message(queued.localId)?.name).toBe(toHex(result.object.name));
    expect(view.messages()[2]!.id).toBe(queued.localId);
  });

  it('a message the server refuses for good is failed with the reason, and can be retried or discarded', async () => {
    const dora = await f.user('dora');
    const team = await f.admin.createTeam('private-team');
    const channel = await f.admin.createChannel(team.id, 'secret', 'public');
    const store = new MemoryStore();
    const client = f.track(new MichatClient(f.server.url, dora.session, { store }));
    const view = client.channel(channel);
    view.synced.catch(() => undefined);
    const refused = await client.queue(channel, new TextEncoder().encode('{"type":"text","text":"let me in"}'));
    const dropped = await client.queue(channel, new TextEncoder().encode('{"type":"text","text":"never mind"}'));
    await expect(refused.delivered).rejects.toMatchObject({ kind: 'Forbidden' });
    await expect(dropped.delivered).rejects.toMatchObject({ kind: 'Forbidden' });
    expect((await store.outbox())[0]).toMatchObject({ localId: refused.localId, state: 'failed', error: { kind: 'Forbidden' } });
    await eventually(() => view.message(refused.localId)?.state === 'failed', 5_000, 'the view shows it failed');

    await f.admin.addTeamMember(team.id, 'dora');
    await dora.joinChannel(channel.id);
    await client.discard(dropped.localId);
    const retried = await client.retry(refused.localId);
    expect(nameSeq(retried.object.name)).toBe(1);
    expect(await onServer(f, channel)).toEqual([['let me in', 1]]);
    expect(await store.outbox()).toEqual([]);
    await eventually(() => view.messages().map((m) => [m.text, m.state]).join() === 'let me in,sent', 5_000, 'the view shows the one sent');
  });
});
