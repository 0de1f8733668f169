import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnlineState } from '../src/index.ts';
import { eventually, startClientFixture, type ClientFixture } from './fixture.ts';

describe('the onlineState event (an offline banner)', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture({ proxied: true });
  });
  afterAll(async () => {
    await f.close();
  });

  it('goes connecting → online; a drop → connecting, then offline while attempts fail; back online; offline when closed', async () => {
    const alice = await f.user('alice', { backoff: { initialMs: 50, maxMs: 200 } }, f.proxy.url);
    const seen: OnlineState[] = [];
    alice.on('onlineState', (s) => seen.push(s));
    expect(alice.onlineState).toBe('offline'); // not started
    await alice.connect();
    expect(seen).toEqual(['connecting', 'online']);
    await f.proxy.cut();
    await eventually(() => alice.onlineState === 'offline', 5_000, 'offline');
    expect(seen).toEqual(['connecting', 'online', 'connecting', 'offline']);
    await f.proxy.restore();
    await eventually(() => alice.onlineState === 'online', 5_000, 'online again');
    expect(seen.at(-1)).toBe('online');
    expect(seen.slice(4).every((s) => s === 'offline' || s === 'online')).toBe(true); // no flicker through connecting
    await alice.close();
    expect(alice.onlineState).toBe('offline');
  });
});
