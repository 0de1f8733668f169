import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeObject, makeName, nameFields } from '@michat/protocol';
import { DirectoryApi, MemoryStore, encodeTextPayload, type ChannelView, type MichatClient } from '../../src/index.ts';
import { eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

/** Every byte under a directory (the server's SQLite file and WAL included). */
async function allBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

describe('end-to-end encryption: membership, storage and forgery', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture({ persistent: true });
  });
  afterAll(() => f.close());

  const texts = (v: ChannelView) => v.messages().map((m) => m.text);
  const user = async (name: string): Promise<MichatClient> => {
    const c = await f.user(name, { store: new MemoryStore(), e2ee: true });
    await c.e2ee!.ready();
    return c;
  };

  it('a newcomer reads the channel and its history, a removed member reads nothing new, the server stores no plaintext, forged senders are dropped', async () => {
    const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
    const channel = await f.channel([alice, bob]);
    const av = alice.channel(channel);
    const bv = bob.channel(channel);
    await Promise.all([av.synced, bv.synced]);
    await (await av.send('before carol: marker-a1')).delivered;
    await eventually(() => texts(bv).includes('before carol: marker-a1'), 10_000, 'bob reads alice');

    // Carol joins: a member's device adds her within seconds; she reads what comes after.
    await f.admin.addTeamMember(channel.teamId, 'carol');
    await carol.joinChannel(channel.id);
    alice.e2ee!.membershipChanged();
    const cv = carol.channel(channel);
    await cv.synced;
    await eventually(() => alice.e2ee!.group(channel.key).members.some((m) => m.userId === carol.session.userId), 10_000, 'carol is in the group');
    await (await av.send('after carol: marker-a2')).delivered;
    await eventually(() => texts(cv).includes('after carol: marker-a2'), 10_000, 'carol reads what follows her join');
    // What was said before she joined opens too: the member who added her shared the older epochs' keys.
    await eventually(() => texts(cv).includes('before carol: marker-a1'), 10_000, 'carol reads the history');
    expect(cv.messages().every((m) => m.e2ee && !m.undecryptable)).toBe(true);

    // Forgery: carol seals a message under bob's name and the org admin imports it. Nobody shows it.
    const bobDevice = bob.session.deviceId;
    const forgedName = makeName({ ...nameFields(av.messages()[0]!.name.length ? hexToName(av.messages()[0]!.name) : new Uint8Array(16)), device: bobDevice, seq: 900 });
    const unsealed = encodeObject({ name: forgedName, created: Date.now() - 1_000, keyEpoch: 0 }, encodeTextPayload('forged: marker-f1'));
    const forged = await carol.e2ee!.seal(unsealed, encodeTextPayload('forged: marker-f1'));
    const imported = await f.admin.importObjects(channel.id, [forged.bytes]);
    expect(imported.stored).toBe(1);
    await (await bv.send('after the forgery: marker-b1')).delivered;
    await eventually(() => texts(av).includes('after the forgery: marker-b1'), 10_000, 'alice got what came after it');
    expect(texts(av)).not.toContain('forged: marker-f1');

    // Bob is removed: the group drops his device, and he cannot read what follows.
    const dir = new DirectoryApi(f.admin.http);
    await dir.removeChannelMember(f.admin.session.accessToken, channel.id, bob.session.userId);
    alice.e2ee!.membershipChanged();
    await eventually(() => !alice.e2ee!.group(channel.key).members.some((m) => m.userId === bob.session.userId), 10_000, 'bob leaves the group');
    const secret = await (await av.send('after bob: marker-a3')).delivered;
    await eventually(() => texts(cv).includes('after bob: marker-a3'), 10_000, 'carol still reads');
    const bobRead = await bob.read(secret.object);
    expect(bobRead).toEqual({ undecryptable: expect.any(String) });

    // The server's data directory (database, WAL) holds none of the texts.
    const stored = await allBytes(f.dataDir!);
    for (const marker of ['marker-a1', 'marker-a2', 'marker-a3', 'marker-b1', 'marker-f1']) expect(stored.includes(marker)).toBe(false);
  });

  it('churn: a removal, then newcomers two at once and one more: all converge on one epoch and read what follows', async () => {
    const [kim, lou, max, ned, oli, pat] = [await user('kim'), await user('lou'), await user('max'), await user('ned'), await user('oli'), await user('pat')];
    const channel = await f.channel([kim, lou, max]);
    const views = new Map([kim, lou, max].map((c) => [c, c.channel(channel)] as const));
    await Promise.all([...views.values()].map((v) => v.synced));
    await eventually(() => kim.e2ee!.group(channel.key).members.length === 3, 15_000, 'three in the group');
    // A removal, then two newcomers at once, then one more.
    await new DirectoryApi(f.admin.http).removeChannelMember(f.admin.session.accessToken, channel.id, lou.session.userId);
    kim.e2ee!.membershipChanged();
    await eventually(() => kim.e2ee!.group(channel.key).members.length === 2, 15_000, 'lou leaves the group');
    for (const c of [ned, oli]) {
      await f.admin.addTeamMember(channel.teamId, c.session.username);
      await c.joinChannel(channel.id);
      views.set(c, c.channel(channel));
    }
    kim.e2ee!.membershipChanged();
    await eventually(() => kim.e2ee!.group(channel.key).members.length === 4, 20_000, 'ned and oli in the group');
    await f.admin.addTeamMember(channel.teamId, 'pat');
    await pat.joinChannel(channel.id);
    views.set(pat, pat.channel(channel));
    kim.e2ee!.membershipChanged();
    await eventually(() => kim.e2ee!.group(channel.key).members.length === 5, 20_000, 'pat in the group');
    await (await views.get(kim)!.send('after the churn')).delivered;
    for (const c of [max, ned, oli, pat]) await eventually(() => texts(views.get(c)!).includes('after the churn'), 15_000, `${c.session.username} reads it`);
    const epochs = new Set([kim, max, ned, oli, pat].map((c) => c.e2ee!.group(channel.key).epochAuthenticator));
    expect(epochs.size).toBe(1);
  });
});

function hexToName(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}