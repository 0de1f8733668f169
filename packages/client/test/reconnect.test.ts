import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameToText, type Channel, type MichatObject } from '@michat/protocol';
import { eventually, sleep, startClientFixture, type ClientFixture } from './fixture.ts';

const FAST_RETRY = { backoff: { initialMs: 50, maxMs: 400 } };

/** Every stored object of the channel named `name` (the admin reads the whole history). */
async function stored(f: ClientFixture, channel: Channel, name: Uint8Array): Promise<number> {
  const page = await f.admin.history(channel, { limit: 500 });
  return page.objects.filter((o) => nameToText(o.name) === nameToText(name)).length;
}

describe('a client behind a network outage', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture({ proxied: true });
  });
  afterAll(async () => {
    await f.close();
  });

  it('a message sent while offline is delivered after the client reconnects by itself, once', async () => {
    const alice = await f.user('alice', FAST_RETRY, f.proxy.url);
    const channel = await f.channel([alice]);
    await alice.connect();
    await f.proxy.cut();
    await eventually(() => alice.state === 'connecting', 5_000, 'alice notices the drop');
    let settled = false;
    const sending = alice.sendText(channel, 'sent while offline').finally(() => (settled = true));
    await sleep(300);
    expect(settled).toBe(false);
    await f.proxy.restore();
    const result = await sending;
    expect(result.dup).toBe(false);
    expect(await stored(f, channel, result.object.name)).toBe(1);
  });

  it('when the ack is lost, the retry on the new connection stores nothing twice', async () => {
    let dropAcks = true;
    const bea = await f.user('bea', { ...FAST_RETRY, debug: { dropInbound: (fr) => dropAcks && fr.t === 'ack' } }, f.proxy.url);
    const channel = await f.channel([bea]);
    await bea.connect();
    const sending = bea.sendText(channel, 'ack goes missing');
    const texts = async () => (await f.admin.history(channel)).objects.length;
    await eventually(async () => (await texts()) === 1, 5_000, 'the server stores it');
    dropAcks = false;
    await f.proxy.cut();
    await f.proxy.restore();
    const result = await sending;
    expect(result.dup).toBe(true); // the server already had these very bytes
    expect(await stored(f, channel, result.object.name)).toBe(1);
    expect(await texts()).toBe(1);
  });

  it('a subscriber that drops catches up on exactly the 200 messages it missed', async () => {
    const bob = await f.user('bob', FAST_RETRY, f.proxy.url);
    const carl = await f.user('carl');
    const channel = await f.channel([bob, carl]);
    const got: MichatObject[] = [];
    const sub = bob.subscribe(channel, (o) => got.push(o));
    await sub.ready;
    for (let i = 0; i < 5; i++) await carl.sendText(channel, `before ${i}`);
    await eventually(() => got.length === 5, 5_000, 'the first five');

    await f.proxy.cut();
    await eventually(() => bob.state === 'connecting', 5_000, 'bob notices the drop');
    const sent = await Promise.all(Array.from({ length: 200 }, (_, i) => carl.sendText(channel, `missed ${i}`)));
    expect(got).toHaveLength(5);
    await f.proxy.restore();

    await eventually(() => got.length >= 205, 15_000, 'the catch-up');
    await sleep(500);
    const names = got.map((o) => nameToText(o.name));
    expect(names).toHaveLength(205);
    expect(new Set(names).size).toBe(205);
    const missed = new Set(sent.map((r) => nameToText(r.object.name)));
    expect(names.slice(5).every((n) => missed.has(n))).toBe(true);
    expect(sub.entries()).toEqual([[carl.session.deviceId, 205]]);
  });
});

describe('a client across a server restart', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture({ persistent: true });
  });
  afterAll(() => f.close());

  it('publishes made while the server is down land once it is back', async () => {
    const dana = await f.user('dana', FAST_RETRY);
    const channel = await f.channel([dana]);
    const got: MichatObject[] = [];
    await dana.subscribe(channel, (o) => got.push(o)).ready;
    await dana.sendText(channel, 'before restart');
    let sending: Promise<unknown> | undefined;
    await f.restart(async () => {
      await eventually(() => dana.state === 'connecting', 5_000, 'dana notices the drain');
      sending = dana.sendText(channel, 'during restart');
      await sleep(300);
    });
    await sending;
    const page = await f.admin.history(channel);
    expect(page.objects.map((o) => nameToText(o.name))).toHaveLength(2);
    expect(got).toHaveLength(2);
  });
});
