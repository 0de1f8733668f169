import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, type Channel, type MichatObject } from '@michat/protocol';
import type { MichatClient } from '@michat/client';
import { eventually, startTree, type Tree } from './tree-fixture.ts';


/** Every object a client's subscription delivered, by hex name, and how often each came. */
function collect(client: MichatClient, channel: Channel) {
  const seen = new Map<string, number>();
  const sub = client.subscribe(channel, (o: MichatObject) => {
    const key = toHex(o.name);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  return { seen, sub };
}

/** The whole channel as a client's server (or relay) shows it: history pages, newest first. */
async function wholeHistory(client: MichatClient, channel: Channel): Promise<string[]> {
  const names: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await client.history(channel, { limit: 500, ...(before ? { before } : {}) });
    names.push(...page.objects.map((o) => toHex(o.name)));
    if (!page.more || !page.next) return names;
    before = page.next;
  }
}

async function sendMany(client: MichatClient, channel: Channel, count: number, label: string): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, k) => client.sendText(channel, `${label} ${i + k + 1}`)));
  }
}

describe('a relay tree (origin ← cloud relay ← local relay) partitions and heals without loss or duplicates', () => {
  let tree: Tree;
  beforeAll(async () => {
    tree = await startTree();
  }, 60_000);
  afterAll(async () => {
    await tree?.close();
  });

  it('1,000 messages on each side of a cut LAN link: every client ends with every message exactly once, in one order', async () => {
    const alice = await tree.user('alice', tree.origin.url); // at the origin
    const bob = await tree.user('bob', tree.cloud.url); // at the cloud relay
    const carol = await tree.user('carol', tree.local.url); // on the LAN, behind the local relay
    const channel = await tree.channel([alice, bob, carol], 'partition');
    const views = [collect(alice, channel), collect(bob, channel), collect(carol, channel)];
    await Promise.all(views.map((v) => v.sub.ready));

    // Connected: a message from the LAN reaches the origin live, and back.
    await carol.sendText(channel, 'hello from the LAN');
    await alice.sendText(channel, 'hello from the origin');
    await eventually(() => views.every((v) => v.seen.size === 2), 10_000, 'live delivery through two relays');

    // The LAN loses the internet: both sides keep chatting.
    await tree.link.cut();
    await eventually(() => !tree.local.relay.online, 10_000, 'the local relay to notice');
    await Promise.all([sendMany(carol, channel, 1_000, 'lan'), sendMany(alice, channel, 1_000, 'origin'), sendMany(bob, channel, 10, 'cloud')]);
    // Each side sees its own side only.
    await eventually(() => views[0]!.seen.size === 1_012 && views[1]!.seen.size === 1_012, 20_000, 'the origin side to see its messages');
    await eventually(() => views[2]!.seen.size === 1_002, 20_000, 'the LAN to see its messages');
    expect(views[0]!.seen.size).toBe(1_012);

    // Heal: relay and parent exchange vectors and send each other what the other lacks.
    const healStart = Date.now();
    await tree.link.restore();
    await eventually(() => views.every((v) => v.seen.size === 2_012), 60_000, 'every client to have every message');
    const healMs = Date.now() - healStart;
    for (const v of views) expect([...v.seen.values()].every((n) => n === 1)).toBe(true);

    // Stored exactly once at every level, and shown in the same order everywhere.
    const histories = await Promise.all([alice, bob, carol].map((c) => wholeHistory(c, channel)));
    for (const h of histories) {
      expect(h.length).toBe(2_012);
      expect(new Set(h).size).toBe(2_012);
    }
    expect(histories[1]).toEqual(histories[0]);
    expect(histories[2]).toEqual(histories[0]);
    console.log(`healed 2 × 1,000 messages across a two-relay tree in ${healMs} ms`);
  }, 180_000);

  it('a channel new to both relays: the first history page on the LAN already holds what the origin has', async () => {
    const alice = await tree.user('dan', tree.origin.url);
    const carol = await tree.user('eve', tree.local.url);
    const channel = await tree.channel([alice, carol], 'cold');
    await sendMany(alice, channel, 300, 'archive');
    // Neither relay has served this channel: the history read waits for it to be filled.
    const page = await carol.history(channel, { limit: 500 });
    expect(page.objects.length).toBe(300);
  }, 60_000);
});
