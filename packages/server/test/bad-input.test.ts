import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERROR_KINDS, MAX_FRAME_BYTES, encodeFrame, type ClientFrame, type Session, type Channel } from '@michat/protocol';
import { RawClient, channelPrefix, textObject } from '@michat/testkit';
import { startFixture, teamWithChannel, type Fixture } from './fixture.ts';

/**
 * Random bytes, wrong types, mutated and oversized frames get typed errors, never crash the
 * server, and never disturb other clients, who keep chatting throughout.
 */
describe('bad input', () => {
  let f: Fixture;
  let bob: Session;
  let channel: Channel;
  beforeAll(async () => {
    f = await startFixture({ config: { connection: { ratePerSec: 1_000_000, burst: 1_000_000 } } });
    bob = await f.user('bob');
    ({ channel } = await teamWithChannel(f, [bob]));
  });
  afterAll(() => f.close());

  function validFrames(seq: number): ClientFrame[] {
    const obj = textObject(channel, f.admin, seq, `fuzz ${seq}`);
    return [
      { t: 'pub', id: 1, obj: obj.bytes },
      { t: 'sub', id: 2, prefix: channelPrefix(channel), bits: 72, since: [[f.admin.deviceId, 3]] },
      { t: 'hist', id: 3, channel: channelPrefix(channel), limit: 10 },
      { t: 'hb', status: 'active', watch: [{ prefix: channelPrefix(channel), bits: 72, digest: '0123456789abcdef' }] },
      { t: 'sync', id: 4, prefix: channelPrefix(channel), bits: 72, since: [] },
      { t: 'typing', channel: channelPrefix(channel) },
    ];
  }

  it('fuzzed frames get typed errors while two other clients keep chatting', async () => {
    const fuzzer = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const alice = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const listener = await RawClient.connect(f.server.wsUrl, bob.accessToken);
    await listener.request({ t: 'sub', id: 1, prefix: channelPrefix(channel), bits: 72 });
    let chatSeq = 1000;
    let sentChat = 0;

    const frameArb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.constantFrom(...validFrames(5000)), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([frame, at, byte]) => {
        const bytes = encodeFrame(frame).slice();
        bytes[at % bytes.length] = byte;
        return bytes;
      }),
      fc.record({ t: fc.constantFrom('pub', 'sub', 'hist', 'hb', 'nope'), id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), obj: fc.anything(), prefix: fc.anything(), bits: fc.anything() }).map((o) => encodeFrame(o as unknown as ClientFrame)),
    );
    await fc.assert(
      fc.asyncProperty(frameArb, async (bytes) => {
        const before = fuzzer.received.length;
        fuzzer.sendRaw(bytes);
        // a ping that always answers: once it is answered, the fuzzed frame was handled
        await fuzzer.request({ t: 'hist', id: 4_000_000, channel: channelPrefix(channel), limit: 1 });
        for (const fr of fuzzer.received.slice(before)) if (fr.t === 'err') expect(ERROR_KINDS).toContain(fr.kind);
        // meanwhile, real chat goes on
        chatSeq++;
        sentChat++;
        const ack = await alice.request({ t: 'pub', id: chatSeq, obj: textObject(channel, f.admin, chatSeq, `still here ${chatSeq}`).bytes });
        expect(ack.t).toBe('ack');
      }),
      { numRuns: 300 },
    );
    await listener.until(() => listener.received.filter((fr) => fr.t === 'obj').length >= sentChat);
    // the fuzzing connection itself still works
    expect((await fuzzer.request({ t: 'hist', id: 77, channel: channelPrefix(channel), limit: 1 })).t).toBe('page');
    for (const c of [fuzzer, alice, listener]) c.close();
  }, 60_000);

  it('answers wrong types with BadFrame naming the field, echoing the request id', async () => {
    const c = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    c.sendRaw(encodeFrame({ t: 'hist', id: 9, channel: channelPrefix(channel), limit: 'ten' } as unknown as ClientFrame));
    const err = await c.next((fr) => fr.t === 'err');
    expect(err).toMatchObject({ t: 'err', id: 9, kind: 'BadFrame' });
    expect(err.t === 'err' && err.msg).toContain('limit');
    c.sendRaw('{"t":"hist"}');
    expect(await c.next((fr) => fr.t === 'err')).toMatchObject({ kind: 'BadFrame' });
    c.close();
  });

  it('answers an oversized frame with TooLarge and keeps the connection', async () => {
    const c = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    c.sendRaw(new Uint8Array(MAX_FRAME_BYTES + 1));
    expect(await c.next((fr) => fr.t === 'err')).toMatchObject({ kind: 'TooLarge' });
    expect((await c.request({ t: 'hist', id: 1, channel: channelPrefix(channel), limit: 1 })).t).toBe('page');
    c.close();
  });

  it('refuses created times too far from the server clock with ClockSkew and the server time', async () => {
    const c = await RawClient.connect(f.server.wsUrl, f.admin.accessToken);
    const future = textObject(channel, f.admin, 90_001, 'from the future', { created: Date.now() + 3_600_000 });
    const err = await c.request({ t: 'pub', id: 1, obj: future.bytes });
    expect(err).toMatchObject({ t: 'err', kind: 'ClockSkew' });
    expect(err.t === 'err' && Math.abs(err.serverTime! - Date.now())).toBeLessThan(5_000);
    const ancient = textObject(channel, f.admin, 90_002, 'backdated', { created: Date.UTC(2001, 0, 1) });
    expect(await c.request({ t: 'pub', id: 2, obj: ancient.bytes })).toMatchObject({ kind: 'ClockSkew' });
    const expired = textObject(channel, f.admin, 90_003, 'already gone', { expires: Date.now() - 1 });
    expect(await c.request({ t: 'pub', id: 3, obj: expired.bytes })).toMatchObject({ kind: 'Expired' });
    c.close();
  });

  it('rate-limits a flooding connection with RateLimited and retryAfterMs, without affecting others', async () => {
    const g = await startFixture({ config: { connection: { ratePerSec: 20, burst: 20 } } });
    try {
      const { channel: ch } = await teamWithChannel(g);
      const flood = await RawClient.connect(g.server.wsUrl, g.admin.accessToken);
      for (let i = 0; i < 60; i++) flood.send({ t: 'hist', id: i, channel: channelPrefix(ch), limit: 1 });
      const limited = await flood.next((fr) => fr.t === 'err' && fr.kind === 'RateLimited');
      expect(limited.t === 'err' && limited.retryAfterMs).toBeGreaterThan(0);
      const calm = await RawClient.connect(g.server.wsUrl, g.admin.accessToken);
      expect((await calm.request({ t: 'hist', id: 1, channel: channelPrefix(ch), limit: 1 })).t).toBe('page');
      flood.close();
      calm.close();
    } finally {
      await g.close();
    }
  });
});
