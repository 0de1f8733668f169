import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, type ChannelView, type MichatClient } from '@michat/client';
import { eventually, startTree, type Tree } from './tree-fixture.ts';

const texts = (v: ChannelView) => v.messages().map((m) => m.text);

describe('end-to-end encryption through a relay tree', () => {
  let tree: Tree;
  beforeAll(async () => {
    tree = await startTree();
  }, 60_000);
  afterAll(async () => {
    await tree?.close();
  });

  const user = async (name: string, at: string): Promise<MichatClient> => {
    const c = await tree.user(name, at, { store: new MemoryStore(), e2ee: true });
    await c.e2ee!.ready();
    return c;
  };

  it('a LAN cut off from the origin chats on in the current epoch; after healing everyone reads everything', async () => {
    const alice = await user('alma', tree.origin.url);
    const [bob, carol] = [await user('bert', tree.local.url), await user('cleo', tree.local.url)];
    const channel = await tree.channel([alice, bob, carol], 'e2ee-lan');
    const [av, bv, cv] = [alice.channel(channel), bob.channel(channel), carol.channel(channel)];
    await Promise.all([av.synced, bv.synced, cv.synced]);
    await (await av.send('before the cut: secret-r1')).delivered;
    await eventually(() => texts(bv).includes('before the cut: secret-r1') && texts(cv).includes('before the cut: secret-r1'), 15_000, 'the LAN reads the origin');
    const epoch = bob.e2ee!.group(channel.key).epoch;

    await tree.link.cut();
    await eventually(() => !tree.local.relay.online, 10_000, 'the local relay to notice');
    await (await bv.send('on the LAN: secret-r2')).delivered; // acked by the relay, sealed in the current epoch
    await eventually(() => texts(cv).includes('on the LAN: secret-r2'), 10_000, 'carol reads bob on the LAN');
    await (await av.send('at the origin: secret-r3')).delivered;
    expect(bob.e2ee!.group(channel.key).epoch).toBe(epoch);

    await tree.link.restore();
    const all = ['before the cut: secret-r1', 'on the LAN: secret-r2', 'at the origin: secret-r3'];
    for (const [who, v] of [['alma', av], ['bert', bv], ['cleo', cv]] as const) {
      await eventually(() => all.every((t) => texts(v).includes(t)), 30_000, `${who} reads everything after healing`);
      expect(v.messages().filter((m) => m.undecryptable)).toEqual([]);
    }

    // No store of the tree holds the texts: the origin's and both relays' data directories.
    for (const dir of tree.dataDirs()) {
      const bytes = await allBytes(dir);
      for (const marker of ['secret-r1', 'secret-r2', 'secret-r3']) expect(bytes.includes(marker), `${marker} in ${dir}`).toBe(false);
    }
  }, 120_000);
});

async function allBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}
