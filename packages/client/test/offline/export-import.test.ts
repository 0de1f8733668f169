import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@michat/protocol';
import { MemoryStore, MichatClient, exportState, importState, type LocalStore } from '../../src/index.ts';
import { eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

/** Everything a store holds, comparable with toEqual. */
async function contents(store: LocalStore) {
  const objects: Record<string, string[]> = {};
  for (const channel of await store.channels()) objects[channel] = (await store.objects(channel)).map((o) => o.name);
  return { objects, vectors: await store.vectors(), seq: await store.seqCounters(), outbox: await store.outbox(), records: await store.records('') };
}

describe('export and import of the local state', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture({ proxied: true });
  });
  afterAll(async () => {
    await f.close();
  });

  it('export → clear → import restores everything; importing again duplicates nothing and merges new data', async () => {
    const store = new MemoryStore();
    const alice = await f.user('alice', { store, backoff: { initialMs: 50, maxMs: 400 } }, f.proxy.url);
    const bob = await f.user('bob');
    const channel = await f.channel([alice, bob]);
    const view = alice.channel(channel);
    await view.synced;
    await bob.sendText(channel, 'from bob');
    await (await view.send('from alice')).delivered;
    await eventually(() => view.messages().length === 2, 5_000, 'both messages');
    view.markRead();
    await alice.me();
    await f.proxy.cut();
    const pending = await view.send('written offline');
    await alice.close();

    // The file a user would save: JSON text.
    const file = JSON.stringify(await exportState(store));
    const before = await contents(store);
    expect(before.outbox.map((e) => e.localId)).toEqual([pending.localId]);
    expect(Object.values(before.objects)[0]).toHaveLength(2);

    await store.clear();
    expect(await contents(store)).toEqual({ objects: {}, vectors: {}, seq: {}, outbox: [], records: [] });
    expect(await importState(store, JSON.parse(file))).toEqual({ objects: 2, outbox: 1, skipped: 0 });
    expect(await contents(store)).toEqual(before);

    // New data meanwhile: bob writes, alice's restored client receives it and sends her outbox.
    await bob.sendText(channel, 'after the restore');
    await f.proxy.restore();
    const restored = f.track((await MichatClient.resume(store))!);
    const view2 = restored.channel(channel);
    await view2.loaded;
    expect(view2.messages().map((m) => [m.text, m.state])).toEqual([
      ['from bob', 'sent'],
      ['from alice', 'sent'],
      ['written offline', 'pending'],
    ]);
    expect(view2.unread()).toBe(0);
    await eventually(() => view2.messages().length === 4 && view2.messages().every((m) => m.state === 'sent'), 10_000, 'synced and sent');
    await restored.close();

    // The old file again: nothing doubles, counters never go back, the outbox stays sent.
    const seqBefore = await store.seqCounters();
    await store.takeSeq(alice.session.deviceId, channel.key); // a name taken after the export
    await importState(store, JSON.parse(file));
    const after = await contents(store);
    expect(Object.values(after.objects)[0]).toHaveLength(4);
    expect(after.seq[`${alice.session.deviceId}/${channel.key}`]).toBe(seqBefore[`${alice.session.deviceId}/${channel.key}`]! + 1);
    // The imported outbox entry comes back and is sent again: the server answers dup.
    const again = f.track((await MichatClient.resume(store))!);
    expect(await again.retry(pending.localId)).toMatchObject({ dup: true });
    const page = await f.admin.history(channel);
    expect(new Set(page.objects.map((o) => toHex(o.name))).size).toBe(4);
    expect(page.objects).toHaveLength(4);
  });

  it('refuses what is not an export, and skips objects that do not decode', async () => {
    const store = new MemoryStore();
    await expect(importState(store, { format: 'something else' })).rejects.toThrow(/not a michat export/);
    await expect(importState(store, { format: 'michat-export', version: 2 })).rejects.toThrow(/version 2/);
    const file = { format: 'michat-export', version: 1, exportedAt: 0, records: {}, seq: { '1/00000100000100000a': 7 }, vectors: {}, objects: { '00000100000100000a': [{ bytes: 'AAAA' }, { bytes: '!!' }] }, outbox: [] };
    expect(await importState(store, file)).toEqual({ objects: 0, outbox: 0, skipped: 2 });
    expect(await store.takeSeq(1, '00000100000100000a')).toBe(8);
  });
});
