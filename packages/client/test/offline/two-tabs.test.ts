import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameSeq, toHex } from '@michat/protocol';
import { IndexedDbStore, MichatClient, encodeTextPayload } from '../../src/index.ts';
import { PASSWORD, eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

/**
 * Two tabs of one browser: two IndexedDB connections to one database and two clients over
 * them, resumed from the session the first login saved (one device, shared numbering).
 */
describe('two tabs sharing one IndexedDB store', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  async function twoTabs(username: string, db: string) {
    await f.admin.createUser(username, PASSWORD);
    const storeA = await IndexedDbStore.open(db);
    const tabA = f.track(await MichatClient.login(f.server.url, username, PASSWORD, { store: storeA }));
    const storeB = await IndexedDbStore.open(db);
    const tabB = f.track((await MichatClient.resume(storeB))!);
    return { tabA, tabB, storeA, storeB };
  }

  it('never reuse a name: 2 × 25 messages written at once are all stored, once each', async () => {
    const { tabA, tabB } = await twoTabs('tina', 'tabs-names');
    expect(tabB.session.deviceId).toBe(tabA.session.deviceId);
    const channel = await f.channel([tabA]);
    const sends = Array.from({ length: 50 }, (_, i) => (i % 2 ? tabA : tabB).sendText(channel, `m${i}`));
    const results = await Promise.all(sends);
    const seqs = results.map((r) => nameSeq(r.object.name)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const page = await f.admin.history(channel, { limit: 500 });
    expect(new Set(page.objects.map((o) => toHex(o.name))).size).toBe(50);
  });

  it('a message queued in a tab that closed before sending is sent by another tab', async () => {
    const { tabA, storeB } = await twoTabs('theo', 'tabs-outbox');
    const channel = await f.channel([tabA]);
    // Tab A queues and closes before it ever connects (the user closed it).
    const queued = await tabA.queue(channel, encodeTextPayload('from the closed tab'));
    await tabA.close();
    const tabC = f.track((await MichatClient.resume(storeB))!);
    const view = tabC.channel(channel);
    await view.loaded;
    expect(view.messages().map((m) => [m.id, m.state])).toEqual([[queued.localId, 'pending']]);
    // Tab A released its outbox's Web Lock when it closed, so tab C takes the entry over at once.
    await eventually(() => view.messages()[0]?.state === 'sent', 4_000, 'tab C sends it');
    const page = await f.admin.history(channel);
    expect(page.objects.map((o) => toHex(o.name))).toEqual([toHex(queued.object.name)]);
  });

  it('share one session: a refresh in one tab does not spend the other tab’s session', async () => {
    const { tabA, tabB } = await twoTabs('tess', 'tabs-session');
    const refreshed = await tabA.refreshSession();
    // Tab B still holds the refresh token tab A just spent; it adopts the stored session instead.
    const adopted = await tabB.refreshSession();
    expect(adopted.refreshToken).toBe(refreshed.refreshToken);
    expect((await tabB.me()).username).toBe('tess');
    const again = await tabB.refreshSession(); // a real refresh, with the shared token
    expect(again.refreshToken).not.toBe(refreshed.refreshToken);
    expect((await tabA.refreshSession()).refreshToken).toBe(again.refreshToken);
  });
});
