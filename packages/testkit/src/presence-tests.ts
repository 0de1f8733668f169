import { describe, expect, it } from 'vitest';
import { PresenceLimitError, type PresenceStore } from '@michat/bus';

export interface PresenceStoreFixture {
  /** An empty store (its own key prefix). */
  presence: PresenceStore;
  /** Lets `ms` pass for the store: a fake clock's step, or real waiting for a real server. */
  advance: (ms: number) => Promise<void>;
  teardown?: () => Promise<void>;
}

/**
 * TTLs the suite uses. Long enough that the steps between setting and checking a "still
 * present" entry (a few round trips) never eat the margin on a busy machine; short enough
 * that adapters on real clocks wait about a second per expiry test.
 */
const SHORT_TTL_MS = 1_000;
const LONG_TTL_MS = 60_000;

async function expectLimitRejection(call: () => Promise<unknown>): Promise<void> {
  let pending: Promise<unknown>;
  try {
    pending = call();
  } catch (error) {
    throw new Error(`expected a rejected promise, but the call threw synchronously: ${String(error)}`);
  }
  await expect(pending).rejects.toBeInstanceOf(PresenceLimitError);
}

/** The conformance suite of the PresenceStore port: every adapter must pass it. */
export function runPresenceStoreTests(name: string, setup: () => Promise<PresenceStoreFixture>): void {
  describe(`PresenceStore conformance: ${name}`, () => {
    function test(title: string, body: (fixture: PresenceStoreFixture) => Promise<void>): void {
      it(title, async () => {
        const fixture = await setup();
        try {
          await body(fixture);
        } finally {
          await fixture.presence.close?.();
          await fixture.teardown?.();
        }
      });
    }

    test('set, list and remove; channels are separate and lists are sorted', async ({ presence }) => {
      expect(await presence.list('general')).toEqual([]);
      for (const member of ['carol/3', 'alice/1', 'bob/2', 'alice/10']) await presence.set('general', member, LONG_TTL_MS);
      await presence.set('random', 'dave/4', LONG_TTL_MS);
      await presence.set('general', 'bob/2', LONG_TTL_MS); // a heartbeat: no duplicate
      expect(await presence.list('general')).toEqual(['alice/1', 'alice/10', 'bob/2', 'carol/3']);
      expect(await presence.list('random')).toEqual(['dave/4']);
      expect(await presence.list('general/')).toEqual([]);

      expect(await presence.remove('general', 'bob/2')).toBe(true);
      expect(await presence.remove('general', 'bob/2')).toBe(false);
      expect(await presence.remove('random', 'alice/1')).toBe(false);
      expect(await presence.list('general')).toEqual(['alice/1', 'alice/10', 'carol/3']);
      for (const member of ['alice/1', 'alice/10', 'carol/3']) await presence.remove('general', member);
      expect(await presence.list('general')).toEqual([]);
      expect(await presence.list('random')).toEqual(['dave/4']);
    });

    test('an entry expires after its TTL unless a heartbeat renews it', async ({ presence, advance }) => {
      await presence.set('c', 'stays', LONG_TTL_MS);
      await presence.set('c', 'leaves', SHORT_TTL_MS);
      await presence.set('c', 'renewed', SHORT_TTL_MS);
      expect(await presence.list('c')).toEqual(['leaves', 'renewed', 'stays']);
      await advance(SHORT_TTL_MS * 0.6);
      await presence.set('c', 'renewed', SHORT_TTL_MS);
      await advance(SHORT_TTL_MS * 0.6);
      expect(await presence.list('c')).toEqual(['renewed', 'stays']);
      expect(await presence.remove('c', 'leaves')).toBe(false); // expired counts as absent
      await advance(SHORT_TTL_MS * 0.6);
      expect(await presence.list('c')).toEqual(['stays']);
      // Present again after expiring, like a member who comes back.
      await presence.set('c', 'leaves', LONG_TTL_MS);
      expect(await presence.list('c')).toEqual(['leaves', 'stays']);
    });

    test('a later set replaces the expiry, also with a shorter TTL', async ({ presence, advance }) => {
      await presence.set('c', 'm', LONG_TTL_MS);
      await presence.set('c', 'm', SHORT_TTL_MS);
      await advance(SHORT_TTL_MS * 1.2);
      expect(await presence.list('c')).toEqual([]);
    });

    test('hundreds of members in one channel', async ({ presence }) => {
      const members = Array.from({ length: 500 }, (_, index) => `user/${String(index).padStart(3, '0')}`);
      await Promise.all(members.map((member) => presence.set('big', member, LONG_TTL_MS)));
      expect(await presence.list('big')).toEqual(members);
    });

    test('bad channels, members and TTLs reject and change nothing', async ({ presence }) => {
      for (const ttl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 10 * 24 * 60 * 60 * 1000]) {
        await expectLimitRejection(() => presence.set('c', 'm', ttl));
      }
      await expectLimitRejection(() => presence.set('', 'm', LONG_TTL_MS));
      await expectLimitRejection(() => presence.set('c', '', LONG_TTL_MS));
      await expectLimitRejection(() => presence.set('c', 'm'.repeat(10_000), LONG_TTL_MS));
      await expectLimitRejection(() => presence.list(''));
      await expectLimitRejection(() => presence.remove('c', ''));
      expect(await presence.list('c')).toEqual([]);
    });

    test('close is idempotent and later calls reject', async ({ presence }) => {
      if (presence.close === undefined) return;
      await presence.set('c', 'm', LONG_TTL_MS);
      await presence.close();
      await presence.close();
      await expect(presence.list('c')).rejects.toBeInstanceOf(Error);
      await expect(presence.set('c', 'm', LONG_TTL_MS)).rejects.toBeInstanceOf(Error);
      await expect(presence.remove('c', 'm')).rejects.toBeInstanceOf(Error);
    });
  });
}
