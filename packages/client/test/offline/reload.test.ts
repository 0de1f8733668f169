import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '@michat/protocol';
import { MichatClient } from '../../src/index.ts';
import { FileStore } from '../../src/node/index.ts';
import { eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

const FAST_RETRY = { backoff: { initialMs: 50, maxMs: 400 } };

describe('a reload over the same local store', () => {
  let f: ClientFixture;
  let dir: string;
  beforeAll(async () => {
    f = await startClientFixture({ proxied: true });
    dir = await mkdtemp(join(tmpdir(), 'michat-reload-'));
  });
  afterAll(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the stored history at once without a network, then fetches only what it missed', async () => {
    let store = await FileStore.open(dir);
    const alice = await f.user('alice', { ...FAST_RETRY, store }, f.proxy.url);
    const bob = await f.user('bob');
    const channel = await f.channel([alice, bob]);
    const view = alice.channel(channel);
    await view.synced;
    for (let i = 1; i <= 5; i++) await bob.sendText(channel, `before ${i}`);
    await eventually(() => view.messages().length === 5, 5_000, 'alice sees five');
    expect(view.unread()).toBe(5);
    await alice.close(); // closes the view, which writes what it received
    await store.close();
    for (let i = 1; i <= 3; i++) await bob.sendText(channel, `while away ${i}`);

    await f.proxy.cut(); // the reload happens offline
    store = await FileStore.open(dir);
    let overTheWire = 0;
    const count = (fr: ServerFrame) => {
      if (fr.t === 'objs') overTheWire += fr.objs.length;
      if (fr.t === 'obj') overTheWire++;
      return false;
    };
    const reloaded = f.track((await MichatClient.resume(store, { ...FAST_RETRY, debug: { dropInbound: count } }))!);
    expect(reloaded.session.username).toBe('alice');
    const again = reloaded.channel(channel);
    await again.loaded;
    expect(again.messages().map((m) => m.text)).toEqual(['before 1', 'before 2', 'before 3', 'before 4', 'before 5']);
    expect(again.messages().every((m) => m.username === 'bob')).toBe(true); // owners were stored too
    expect(reloaded.onlineState).not.toBe('online');

    await f.proxy.restore();
    await again.synced;
    await eventually(() => again.messages().length === 8, 5_000, 'the three missed messages');
    expect(again.messages().slice(5).map((m) => m.text)).toEqual(['while away 1', 'while away 2', 'while away 3']);
    expect(overTheWire).toBe(3); // the catch-up started from the stored vector
    expect(again.unread()).toBe(8);

    again.markRead();
    expect(again.unread()).toBe(0);
    await reloaded.close();
    await store.close();
    store = await FileStore.open(dir);
    const third = f.track((await MichatClient.resume(store))!);
    const view3 = third.channel(channel);
    await view3.loaded;
    expect([view3.messages().length, view3.unread()]).toEqual([8, 0]); // the read mark was kept
    await third.close();
    await store.close();
  });
});
