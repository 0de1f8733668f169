import { describe, expect, it } from 'vitest';
import { runPresenceStoreTests } from '@michat/testkit';
import { MemoryPresenceStore } from './memory-presence.ts';

runPresenceStoreTests('MemoryPresenceStore (fake clock)', async () => {
  let now = 1_700_000_000_000;
  return {
    presence: new MemoryPresenceStore({ now: () => now }),
    advance: async (ms) => {
      now += ms;
    },
  };
});

describe('MemoryPresenceStore', () => {
  it('forgets expired entries of channels nobody reads again', async () => {
    let now = 0;
    const presence = new MemoryPresenceStore({ now: () => now });
    for (let index = 0; index < 5_000; index++) await presence.set(`channel/${index}`, 'member', 1_000);
    now += 2_000;
    // Writes elsewhere trigger sweeps; the 5,000 abandoned channels must not survive them.
    for (let index = 0; index < 5_000; index++) await presence.set('busy', `member/${index}`, 1_000);
    now += 2_000;
    for (let index = 0; index < 3_000; index++) await presence.set('other', `member/${index}`, 1_000);
    expect(await presence.list('channel/0')).toEqual([]);
    expect(await presence.list('other')).toHaveLength(3_000);
    expect(await presence.list('busy')).toEqual([]);
  });
});
