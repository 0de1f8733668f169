import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MichatError, nameSeq, nameToText } from '@michat/protocol';
import { MemorySeqStore, MichatClient, decodePayload, type SeqStore } from '../src/index.ts';
import { startClientFixture, type ClientFixture } from './fixture.ts';

describe('names come from the SeqStore and are never reused', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  it('a second client of the same device with the same store continues after the first', async () => {
    const store = new MemorySeqStore();
    const first = await f.user('alice', { seqStore: store });
    const channel = await f.channel([first]);
    const second = f.track(new MichatClient(f.server.url, first.session, { seqStore: store }));
    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await first.sendText(channel, `first ${i}`));
      results.push(await second.sendText(channel, `second ${i}`));
    }
    await first.close();
    const restarted = f.track(new MichatClient(f.server.url, second.session, { seqStore: store }));
    results.push(await restarted.sendText(channel, 'after restart'));
    expect(results.map((r) => nameSeq(r.object.name))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(results.every((r) => !r.dup)).toBe(true);
    const page = await f.admin.history(channel);
    expect(new Set(page.objects.map((o) => nameToText(o.name))).size).toBe(7);
  });

  it('a store that hands out a used number makes the publish fail with Conflict', async () => {
    const stuck: SeqStore = { next: async () => 1 };
    const bob = await f.user('bob', { seqStore: stuck });
    const channel = await f.channel([bob]);
    await bob.sendText(channel, 'one');
    const err = await bob.sendText(channel, 'two').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MichatError);
    expect(err).toMatchObject({ kind: 'Conflict' });
    const page = await f.admin.history(channel);
    expect(page.objects.map((o) => decodePayload(o))).toEqual([{ type: 'text', text: 'one' }]);
  });

  it('a clock that jumps after connecting is corrected from the ClockSkew answer', async () => {
    let skewMs = 0;
    const carol = await f.user('carol', { now: () => Date.now() + skewMs });
    const channel = await f.channel([carol]);
    await carol.connect();
    skewMs = 3_600_000; // the local clock jumps an hour ahead after the welcome
    const result = await carol.sendText(channel, 'on time');
    expect(Math.abs(result.object.created - Date.now())).toBeLessThan(5_000);
    expect(nameSeq(result.object.name)).toBe(1); // same name, re-stamped
    const page = await f.admin.history(channel);
    expect(page.objects).toHaveLength(1);
    expect(page.objects[0]!.created).toBe(result.object.created);
    // The offset learnt from the error keeps later stamps right without another round trip.
    const next = await carol.sendText(channel, 'still on time');
    expect(Math.abs(next.object.created - Date.now())).toBeLessThan(5_000);
  });

  it('nothing is spent on a publish refused before sending', async () => {
    const store = new MemorySeqStore();
    const dave = await f.user('dave', { seqStore: store });
    const channel = await f.channel([dave]);
    await expect(dave.publish(channel, new Uint8Array(70_000))).rejects.toMatchObject({ kind: 'TooLarge' });
    await expect(dave.sendText(channel, 'late', { expires: Date.now() - 1_000 })).rejects.toMatchObject({ kind: 'Expired' });
    expect(store.peek(dave.session.deviceId, channel.key)).toBe(0);
    expect(nameSeq((await dave.sendText(channel, 'fits')).object.name)).toBe(1);
  });
});
