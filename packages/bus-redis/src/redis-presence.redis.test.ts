import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPresenceStoreTests, startRedis, type RedisServer } from '@michat/testkit';
import { RedisPresenceStore } from './redis-presence.ts';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

runPresenceStoreTests('RedisPresenceStore (real time)', async () => ({
  presence: await RedisPresenceStore.connect({ url: server.url, prefix: `test/${randomUUID()}/` }),
  advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}));

describe('RedisPresenceStore', () => {
  it('nodes of one deployment share presence; a channel key expires with its last member', async () => {
    const prefix = `test/${randomUUID()}/`;
    const [a, b] = [await RedisPresenceStore.connect({ url: server.url, prefix }), await RedisPresenceStore.connect({ url: server.url, prefix })];
    try {
      await a.set('general', 'alice/1', 60_000);
      await b.set('general', 'bob/2', 300);
      expect(await a.list('general')).toEqual(['alice/1', 'bob/2']);
      expect(await b.remove('general', 'alice/1')).toBe(true);
      expect(await a.list('general')).toEqual(['bob/2']);
      // The set's own TTL follows its longest-lived member: nothing lingers in Redis.
      const raw = new Redis(server.url);
      try {
        const ttl = await raw.pttl(`${prefix}presence/general`);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      } finally {
        raw.disconnect();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});
