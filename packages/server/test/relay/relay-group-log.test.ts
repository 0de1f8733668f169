import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectKey, type KvStore } from '@michat/core';
import type { MichatClient } from '@michat/client';
import { RawClient, channelPrefix, textObject } from '@michat/testkit';
import { CHANNEL_BITS, GROUP_LOG_DEVICE, bytesEqual, encodeObject, groupLogName, isGroupLogName, makePrefix, toHex, type Channel, type MichatObject, type ServerFrame } from '@michat/protocol';
import { eventually, startTree, type Tree } from './tree-fixture.ts';

/**
 * A channel's group log (its MLS Commits, one per epoch) is accepted at a relay only when
 * the origin accepts it: the origin alone picks each epoch's Commit, so the group never
 * forks between a relay cut off from it and the origin (docs/decisions/0009).
 */

const prefixOf = (channel: Channel) => makePrefix(channelPrefix(channel), CHANNEL_BITS);

/** The log object committing epoch `seq - 1` to `seq`; `label` makes its bytes differ from a rival's. */
function logObject(channel: Channel, seq: number, label: string): MichatObject {
  return encodeObject({ name: groupLogName(prefixOf(channel), seq), created: Date.now(), keyEpoch: seq }, new TextEncoder().encode(`commit: ${label}`));
}

/** A raw connection as `client`'s device, at a server or relay. */
function connect(wsUrl: string, client: MichatClient): Promise<RawClient> {
  return RawClient.connect(wsUrl, client.session.accessToken);
}

/** A raw subscriber of the whole channel, caught up. */
async function subscriber(wsUrl: string, client: MichatClient, channel: Channel): Promise<RawClient> {
  const raw = await connect(wsUrl, client);
  expect(await raw.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: CHANNEL_BITS })).toMatchObject({ t: 'subok' });
  return raw;
}

/** Every object a raw connection received (live or in catch-up). */
function received(raw: RawClient): Uint8Array[] {
  return raw.received.flatMap((f) => (f.t === 'obj' ? [f.obj] : f.t === 'objs' ? f.objs : []));
}

/** How often a raw connection received `obj`'s name. */
function timesSeen(raw: RawClient, obj: MichatObject): number {
  const hex = toHex(obj.name);
  return received(raw).filter((b) => toHex(b.subarray(2, 18)) === hex).length;
}

/** What a store holds under `obj`'s name. */
const stored = (kv: KvStore, obj: MichatObject) => kv.get(objectKey(obj.name));

let nextId = 100;
const publish = (raw: RawClient, obj: MichatObject, ms?: number): Promise<ServerFrame> => raw.request({ t: 'pub', id: nextId++, obj: obj.bytes }, ms);

describe('at a relay, group-log objects are accepted only when the origin accepts them', () => {
  let tree: Tree;
  let stores: () => KvStore[];
  beforeAll(async () => {
    tree = await startTree();
    stores = () => [tree.origin.node.kv, tree.cloud.relay.kv, tree.local.relay.kv];
  }, 60_000);
  afterAll(async () => {
    await tree?.close();
  });

  it('connected: a log object published behind two relays is acked once the origin holds it, and reaches subscribers at the origin and on the LAN', async () => {
    const olga = await tree.user('olga', tree.origin.url);
    const lars = await tree.user('lars', tree.local.url);
    const channel = await tree.channel([olga, lars], 'log-connected');
    const atOrigin = await subscriber(tree.origin.wsUrl, olga, channel);
    const onLan = await subscriber(tree.local.wsUrl, lars, channel);
    const publisher = await connect(tree.local.wsUrl, lars);

    const commit = logObject(channel, 1, 'lars adds olga');
    expect(await publish(publisher, commit)).toMatchObject({ t: 'ack', dup: false });
    // The ack came from the origin: it holds the object already, and no relay queued it for upstream.
    expect(await stored(tree.origin.node.kv, commit)).toEqual(commit.bytes);
    expect(tree.local.relay.cache.isDirty(prefixOf(channel))).toBe(false);
    expect(tree.cloud.relay.cache.isDirty(prefixOf(channel))).toBe(false);

    await eventually(() => timesSeen(atOrigin, commit) === 1 && timesSeen(onLan, commit) === 1, 10_000, 'the commit at both subscribers');
    // Each relay keeps it as an object from upstream.
    await eventually(async () => (await Promise.all(stores().map((kv) => stored(kv, commit)))).every((b) => b && bytesEqual(b, commit.bytes)), 10_000, 'the commit in every store');

    // A retry hears what the origin says: a duplicate. Nothing was delivered twice.
    expect(await publish(publisher, commit)).toMatchObject({ t: 'ack', dup: true });
    expect(timesSeen(atOrigin, commit)).toBe(1);
    expect(timesSeen(onLan, commit)).toBe(1);
    expect(timesSeen(publisher, commit)).toBe(0);
    for (const c of [atOrigin, onLan, publisher]) c.close();
  }, 60_000);

  it('race: a client on the LAN and one at the origin commit the same epochs with other bytes; each epoch has one winner everywhere', async () => {
    const olga = await tree.user('oscar', tree.origin.url);
    const lars = await tree.user('lena', tree.local.url);
    const channel = await tree.channel([olga, lars], 'log-race');
    const atOrigin = await subscriber(tree.origin.wsUrl, olga, channel);
    const onLan = await subscriber(tree.local.wsUrl, lars, channel);
    const lanPublisher = await connect(tree.local.wsUrl, lars);
    const originPublisher = await connect(tree.origin.wsUrl, olga);

    const winners: MichatObject[] = [];
    // The LAN's publish crosses two relays: the origin's starts up to 160 ms later, so either side may win.
    const headStartsMs = [0, 0, 2, 5, 10, 20, 40, 80, 160];
    for (const [i, headStartMs] of headStartsMs.entries()) {
      const epoch = i + 1;
      const fromLan = logObject(channel, epoch, `lena's epoch ${epoch}`);
      const fromOrigin = logObject(channel, epoch, `oscar's epoch ${epoch}`);
      const later = new Promise<void>((resolve) => setTimeout(resolve, headStartMs));
      const [lanAnswer, originAnswer] = await Promise.all([publish(lanPublisher, fromLan), later.then(() => publish(originPublisher, fromOrigin))]);
      // Exactly one is acked; the other hears Conflict, whichever side it was on.
      expect([lanAnswer.t, originAnswer.t].sort()).toEqual(['ack', 'err']);
      expect(lanAnswer.t === 'ack' ? originAnswer : lanAnswer).toMatchObject({ t: 'err', kind: 'Conflict' });
      winners.push(lanAnswer.t === 'ack' ? fromLan : fromOrigin);
    }

    // Every store, at the origin and at both relays, ends with the winners' bytes.
    const holdWinners = async (kv: KvStore) => (await Promise.all(winners.map((w) => stored(kv, w)))).every((b, i) => b && bytesEqual(b, winners[i]!.bytes));
    await eventually(async () => (await Promise.all(stores().map(holdWinners))).every(Boolean), 20_000, 'every store to hold the winners');
    // Subscribers everywhere see each winner once and never a loser.
    await eventually(() => winners.every((w) => timesSeen(atOrigin, w) === 1 && timesSeen(onLan, w) === 1), 10_000, 'the winners at both subscribers');
    for (const sub of [atOrigin, onLan]) {
      const logs = received(sub).filter((b) => isGroupLogName(b.subarray(2, 18)));
      expect(logs.every((b) => winners.some((w) => bytesEqual(w.bytes, b)))).toBe(true);
    }
    for (const c of [atOrigin, onLan, lanPublisher, originPublisher]) c.close();
  }, 60_000);

  it('a link that stops answering: a log publish at the relay hears Unavailable within the 10 s bound and is stored nowhere', async () => {
    const olga = await tree.user('omar', tree.origin.url);
    const lars = await tree.user('liam', tree.local.url);
    const channel = await tree.channel([olga, lars], 'log-stalled');
    const onLan = await subscriber(tree.local.wsUrl, lars, channel);
    const publisher = await connect(tree.local.wsUrl, lars);

    tree.link.stall(); // half-open: nothing tells the relay the parent is gone
    const commit = logObject(channel, 1, 'liam adds omar');
    const started = Date.now();
    const refused = await publish(publisher, commit, 15_000);
    expect(refused).toMatchObject({ t: 'err', kind: 'Unavailable' });
    expect(Date.now() - started).toBeLessThan(11_000);
    expect(await stored(tree.local.relay.kv, commit)).toBeUndefined();
    expect(await stored(tree.origin.node.kv, commit)).toBeUndefined();
    expect(timesSeen(onLan, commit)).toBe(0);
    for (const c of [onLan, publisher]) c.close();
  }, 60_000);

  it('a log object the relay holds and the parent lacks (never from this relay: planted here) is never sent up by the exchange', async () => {
    const olga = await tree.user('opal', tree.origin.url);
    const lars = await tree.user('luke', tree.local.url);
    const channel = await tree.channel([olga, lars], 'log-guard');
    const onLan = await subscriber(tree.local.wsUrl, lars, channel);
    const publisher = await connect(tree.local.wsUrl, lars);
    await tree.link.cut();
    try {
      await eventually(() => !tree.local.relay.online, 10_000, 'the local relay to notice');
      const planted = logObject(channel, 1, 'never accepted by the origin');
      await (await tree.local.relay.rooms.get(prefixOf(channel))).accept(planted.bytes);
      const message = textObject(channel, lars.session, 1, 'queued while cut off');
      expect(await publish(publisher, message)).toMatchObject({ t: 'ack', dup: false });
      expect(tree.local.relay.cache.isDirty(prefixOf(channel))).toBe(true);
      await tree.link.restore();
      // The exchange sends the message, then finds the parent lacking nothing it may send.
      await eventually(async () => !!(await stored(tree.origin.node.kv, message)) && !tree.local.relay.cache.isDirty(prefixOf(channel)), 20_000, 'the channel to be clean');
      expect(await stored(tree.cloud.relay.kv, planted)).toBeUndefined();
      expect(await stored(tree.origin.node.kv, planted)).toBeUndefined();
    } finally {
      await tree.link.restore();
    }
    for (const c of [onLan, publisher]) c.close();
  }, 60_000);

  it('cut off: a log publish at the relay is Unavailable at once and stored nowhere, chat goes on; after the heal the retry is accepted', async () => {
    const olga = await tree.user('otto', tree.origin.url);
    const lars = await tree.user('lucy', tree.local.url);
    const channel = await tree.channel([olga, lars], 'log-cut');
    const atOrigin = await subscriber(tree.origin.wsUrl, olga, channel);
    const onLan = await subscriber(tree.local.wsUrl, lars, channel); // the relay has served the channel
    const publisher = await connect(tree.local.wsUrl, lars);

    await tree.link.cut();
    try {
      await eventually(() => !tree.local.relay.online, 10_000, 'the local relay to notice');
      const commit = logObject(channel, 1, 'lucy adds otto');
      const started = Date.now();
      const refused = await publish(publisher, commit);
      expect(refused).toMatchObject({ t: 'err', kind: 'Unavailable' });
      expect(refused.t === 'err' && refused.retryAfterMs).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(2_000);
      // Nothing of it at the relay: not stored, not counted, not queued.
      expect(await stored(tree.local.relay.kv, commit)).toBeUndefined();
      expect(tree.local.relay.rooms.peek(prefixOf(channel))?.held.has(GROUP_LOG_DEVICE, 1)).toBe(false);
      expect(tree.local.relay.cache.isDirty(prefixOf(channel))).toBe(false);

      // Ordinary messages are still acked by the relay and delivered on the LAN.
      const message = textObject(channel, lars.session, 1, 'still chatting in this epoch');
      expect(await publish(publisher, message)).toMatchObject({ t: 'ack', dup: false });
      await eventually(() => timesSeen(onLan, message) === 1, 10_000, 'the message on the LAN');
      expect(timesSeen(onLan, commit)).toBe(0);

      await tree.link.restore();
      await eventually(() => tree.local.relay.online, 20_000, 'the local relay to reconnect');
      expect(await publish(publisher, commit)).toMatchObject({ t: 'ack', dup: false });
      expect(await stored(tree.origin.node.kv, commit)).toEqual(commit.bytes);
      await eventually(() => timesSeen(onLan, commit) === 1 && timesSeen(atOrigin, commit) === 1, 10_000, 'the commit at both subscribers');
      await eventually(() => timesSeen(atOrigin, message) === 1, 20_000, 'the queued message at the origin');
    } finally {
      await tree.link.restore();
    }
    for (const c of [atOrigin, onLan, publisher]) c.close();
  }, 90_000);
});
