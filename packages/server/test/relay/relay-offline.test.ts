import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initOrganization } from '@michat/core';
import { MichatClient, decodePayload } from '@michat/client';
import { RawClient, channelPrefix } from '@michat/testkit';
import type { Channel, MichatObject } from '@michat/protocol';

const textOf = (o: MichatObject): string => {
  const p = decodePayload(o);
  return p.type === 'text' ? p.text : '?';
};
import { startServer } from '../../src/index.ts';
import { PASSWORD, eventually, sleep, startTree, type Tree } from './tree-fixture.ts';


async function texts(client: MichatClient, channel: Channel): Promise<string[]> {
  const page = await client.history(channel, { limit: 500 });
  return page.objects.map(textOf).reverse();
}

/** A gauge's value on a relay's `/metrics` page. */
async function metric(url: string, name: string): Promise<number> {
  const page = await (await fetch(`${url}/metrics`)).text();
  const line = page.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} on ${url}/metrics`);
  return Number(line.split(' ')[1]);
}

describe('a relay cut off from its parent', () => {
  let tree: Tree;
  beforeAll(async () => {
    tree = await startTree();
  }, 60_000);
  afterAll(async () => {
    await tree?.close();
  });

  it('keeps its cache and its queue across a restart, and delivers the queue once the link is back', async () => {
    const alice = await tree.user('dora', tree.origin.url);
    const carol = await tree.user('erin', tree.local.url);
    const channel = await tree.channel([alice, carol], 'restart');
    await carol.sendText(channel, 'before the outage');
    await eventually(async () => (await texts(alice, channel)).includes('before the outage'), 10_000, 'the first message upstream');

    await tree.link.cut();
    await eventually(() => !tree.local.relay.online, 10_000, 'the local relay to notice');
    for (let i = 1; i <= 20; i++) await carol.sendText(channel, `offline ${i}`);
    await tree.restartLocal(); // still cut off
    // Served from the cache after the restart: the history, and what waits for upstream.
    await eventually(async () => (await texts(carol, channel).catch(() => [])).length === 21, 20_000, 'the restarted relay to serve its cache');
    expect(await texts(carol, channel)).toEqual(['before the outage', ...Array.from({ length: 20 }, (_, i) => `offline ${i + 1}`)]);
    expect(await texts(alice, channel)).toEqual(['before the outage']);

    await tree.link.restore();
    await eventually(async () => (await texts(alice, channel)).length === 21, 30_000, 'the queued messages to reach the origin');
    expect(await texts(alice, channel)).toEqual(await texts(carol, channel));
  }, 90_000);

  it('sends what waited for upstream even when nobody opens its channel after a restart', async () => {
    const alice = await tree.user('hugo', tree.origin.url);
    const carol = await tree.user('ines', tree.local.url);
    const channel = await tree.channel([alice, carol], 'unattended');
    await carol.sendText(channel, 'online');
    await eventually(async () => (await texts(alice, channel)).length === 1, 10_000, 'the first message upstream');
    await tree.link.cut();
    await eventually(() => !tree.local.relay.online, 10_000, 'the local relay to notice');
    for (let i = 1; i <= 5; i++) await carol.sendText(channel, `queued ${i}`);
    await carol.close(); // nobody on the LAN uses the channel again
    await tree.restartLocal();
    // What an operator sees meanwhile.
    expect(await (await fetch(`${tree.local.url}/readyz`)).json()).toEqual({ ready: true, upstream: 'offline' });
    expect(await metric(tree.local.url, 'michat_relay_upstream_connected')).toBe(0);
    expect(await metric(tree.local.url, 'michat_relay_dirty_channels')).toBeGreaterThanOrEqual(1);
    await tree.link.restore();
    await eventually(async () => (await texts(alice, channel)).length === 6, 30_000, 'the queue to reach the origin by itself');
    expect(await texts(alice, channel)).toEqual(['online', ...Array.from({ length: 5 }, (_, i) => `queued ${i + 1}`)]);
    // Once the parent holds it all, the channel is clean (a later eviction may drop it).
    await eventually(() => !tree.local.relay.cache.isDirty({ name: channelPrefix(channel), bits: 72 }), 20_000, 'the channel to be clean');
    expect(await metric(tree.local.url, 'michat_relay_upstream_connected')).toBe(1);
    expect(await metric(tree.local.url, 'michat_relay_dirty_channels')).toBe(0);
  }, 90_000);

  it('neither serves nor forwards expired objects', async () => {
    const alice = await tree.user('fred', tree.origin.url);
    const carol = await tree.user('gina', tree.local.url);
    const channel = await tree.channel([alice, carol], 'expiry');
    const soon = () => Date.now() + 1_500;
    // Cached at the relays while fresh, then expired: history no longer shows it anywhere.
    await alice.sendText(channel, 'fleeting from the origin', { expires: soon() });
    await alice.sendText(channel, 'lasting from the origin');
    await eventually(async () => (await texts(carol, channel)).length === 2, 10_000, 'both messages on the LAN');
    // Written on the LAN while cut off, expired before the link returns: never forwarded.
    await tree.link.cut();
    await eventually(() => !tree.local.relay.online, 10_000, 'the local relay to notice');
    await carol.sendText(channel, 'fleeting from the LAN', { expires: soon() });
    await carol.sendText(channel, 'lasting from the LAN');
    await sleep(1_600);
    await tree.link.restore();
    await eventually(async () => (await texts(alice, channel)).length === 2, 30_000, 'the lasting LAN message upstream');
    expect(await texts(alice, channel)).toEqual(['lasting from the origin', 'lasting from the LAN']);
    expect(await texts(carol, channel)).toEqual(['lasting from the origin', 'lasting from the LAN']);
    // A new reader on the LAN catches up without the expired ones.
    const late: string[] = [];
    const sub = carol.subscribe(channel, (o) => late.push(textOf(o)), { since: [] });
    await sub.ready;
    expect(late.sort()).toEqual(['lasting from the LAN', 'lasting from the origin']);
  }, 60_000);

  it('a channel new to the relays whose history holds expired objects is served at once, not after a wait', async () => {
    const alice = await tree.user('jack', tree.origin.url);
    const carol = await tree.user('kate', tree.local.url);
    const channel = await tree.channel([alice, carol], 'expired-cold');
    await alice.sendText(channel, 'fleeting', { expires: Date.now() + 300 });
    await alice.sendText(channel, 'kept');
    await sleep(500);
    // The origin still counts the expired one but serves it to nobody: each relay asks once,
    // counts it as held, and is filled (else history would wait out the 5 s fill bound).
    const started = Date.now();
    expect(await texts(carol, channel)).toEqual(['kept']);
    expect(Date.now() - started).toBeLessThan(4_000); // the fill bound is 5 s
  }, 30_000);

  it('refuses a token the origin did not sign, even one from another michat deployment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'michat-foreign-'));
    const foreign = await startServer({ host: '127.0.0.1', port: 0, dataDir: dir, logLevel: 'silent', drainMs: 100 });
    try {
      await initOrganization(foreign.node.directory, { org: 'acme', username: 'admin', password: PASSWORD });
      const session = await (await fetch(`${foreign.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })).json();
      for (const relay of [tree.cloud, tree.local]) {
        await expect(RawClient.connect(relay.wsUrl, session.accessToken)).rejects.toThrow(/Unauthorized|welcome/);
      }
      // The origin's own admin token is accepted by both.
      const admin = tree.admin.session.accessToken;
      for (const relay of [tree.cloud, tree.local]) (await RawClient.connect(relay.wsUrl, admin)).close();
    } finally {
      await foreign.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
