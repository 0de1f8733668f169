import { describe, expect, it, type TestContext } from 'vitest';
import { KvLimitError, MAX_KEY_BYTES, MAX_VALUE_BYTES, type KvEntry, type KvStore } from '@michat/core';

export interface KvStoreFixture {
  store: KvStore;
  /** Opens the same data again after `store` was closed (durable adapters only). */
  reopen?: () => Promise<KvStore>;
  /** Frees whatever setup created (temp dirs); called after every open store is closed. */
  teardown?: () => Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : decoder.decode(value));
const keysOf = (entries: KvEntry[]): string[] => entries.map(([key]) => key);

/** Every byte value 0..255, repeated `rounds` times. */
function allBytes(rounds = 1): Uint8Array {
  return Uint8Array.from({ length: 256 * rounds }, (_, index) => index % 256);
}

/** Deterministic, non-repeating-looking bytes so that truncation or shuffling shows. */
function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[index] = state & 0xff;
  }
  return out;
}

/**
 * Byte equality. toEqual walks large typed arrays element by element (seconds for 64 KiB),
 * so compare here and report only the first difference.
 */
function expectBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual!.length).toBe(expected.length);
  const firstDifference = expected.findIndex((byte, index) => actual![index] !== byte);
  expect(firstDifference, 'index of the first differing byte').toBe(-1);
}

function expectEntries(actual: KvEntry[], expected: KvEntry[]): void {
  expect(keysOf(actual)).toEqual(keysOf(expected));
  actual.forEach(([, value], index) => expectBytes(value, expected[index]![1]));
}

/** `call` must return a promise (never throw synchronously) that rejects with KvLimitError. */
async function expectLimitRejection(call: () => Promise<unknown>): Promise<void> {
  let pending: Promise<unknown>;
  try {
    pending = call();
  } catch (error) {
    throw new Error(`expected a rejected promise, but the call threw synchronously: ${String(error)}`);
  }
  await expect(pending).rejects.toBeInstanceOf(KvLimitError);
}

/** `call` must return a promise (never throw synchronously) that rejects. */
async function expectRejection(call: () => Promise<unknown>): Promise<void> {
  let pending: Promise<unknown>;
  try {
    pending = call();
  } catch (error) {
    throw new Error(`expected a rejected promise, but the call threw synchronously: ${String(error)}`);
  }
  await expect(pending).rejects.toBeInstanceOf(Error);
}

/**
 * The conformance suite of the KV port: every KvStore adapter must pass it.
 *
 * `setup` runs before every test and returns a fresh, empty store. After each test the
 * suite closes every store it opened (close is idempotent) and then calls `teardown`.
 *
 * Semantics pinned here, beyond the port's doc comments:
 * - `list` with `limit: 0` returns []; a negative or fractional limit rejects (KvLimitError).
 * - `start`/`end` are intersected with the prefix range; an empty intersection lists nothing.
 * - a prefix containing a non-printable-ASCII character lists nothing (no key can match).
 * - a write is visible to every operation called after it, even before its promise settles.
 */
export function runKvStoreTests(name: string, setup: () => Promise<KvStoreFixture>): void {
  describe(`KvStore conformance: ${name}`, () => {
    /** Runs `body` against a fresh store; always closes what it opened and tears down. */
    function test(title: string, body: (fixture: KvStoreFixture, track: (store: KvStore) => KvStore, context: TestContext) => Promise<void>): void {
      it(title, async (context) => {
        const fixture = await setup();
        const opened: KvStore[] = [fixture.store];
        const track = (store: KvStore): KvStore => {
          opened.push(store);
          return store;
        };
        try {
          await body(fixture, track, context);
        } finally {
          for (const store of opened.reverse()) await store.close?.();
          await fixture.teardown?.();
        }
      });
    }

    test('put, get, overwrite and delete round trip', async ({ store }) => {
      await store.put('room/1', bytes('first'));
      expect(text(await store.get('room/1'))).toBe('first');
      await store.put('room/1', bytes('second, longer'));
      expect(text(await store.get('room/1'))).toBe('second, longer');
      await store.put('room/1', new Uint8Array(0));
      expect(await store.get('room/1')).toEqual(new Uint8Array(0));
      expect(await store.delete('room/1')).toBe(true);
      expect(await store.get('room/1')).toBeUndefined();
      expect(await store.delete('room/1')).toBe(false);
      expect(await store.list('room/')).toEqual([]);
    });

    test('a missing key reads as undefined everywhere', async ({ store }) => {
      await store.put('present', bytes('x'));
      expect(await store.get('absent')).toBeUndefined();
      expect(await store.take('absent')).toBeUndefined();
      expect(await store.delete('absent')).toBe(false);
      expect(await store.list('absent')).toEqual([]);
      expect(text(await store.get('present'))).toBe('x');
    });

    test('writes are visible to later operations before their promises settle', async ({ store }) => {
      const put = store.put('k', bytes('v'));
      const read = store.get('k');
      const listed = store.list('k');
      await put;
      expect(text(await read)).toBe('v');
      expect(keysOf(await listed)).toEqual(['k']);
    });

    test('sibling prefixes do not leak into each other', async ({ store }) => {
      for (const key of ['a', 'a0', 'a/1', 'a/1/x', 'a/1/y', 'a/10', 'a/10/z', 'a/2', 'b/1']) await store.put(key, bytes(key));
      expect(keysOf(await store.list('a/10'))).toEqual(['a/10', 'a/10/z']);
      expect(keysOf(await store.list('a/1/'))).toEqual(['a/1/x', 'a/1/y']);
      // '/' (0x2f) sorts before '0' (0x30): 'a/1' < 'a/1/x' < 'a/10'.
      expect(keysOf(await store.list('a/1'))).toEqual(['a/1', 'a/1/x', 'a/1/y', 'a/10', 'a/10/z']);
      expect(keysOf(await store.list('a/'))).toEqual(['a/1', 'a/1/x', 'a/1/y', 'a/10', 'a/10/z', 'a/2']);
      expect(keysOf(await store.list('a'))).toEqual(['a', 'a/1', 'a/1/x', 'a/1/y', 'a/10', 'a/10/z', 'a/2', 'a0']);
      expect(keysOf(await store.list(''))).toEqual(['a', 'a/1', 'a/1/x', 'a/1/y', 'a/10', 'a/10/z', 'a/2', 'a0', 'b/1']);
      // Each listed value belongs to its key.
      for (const [key, value] of await store.list('a/')) expect(text(value)).toBe(key);
    });

    test('prefixes ending in the highest key character (~) and keys using the whole alphabet', async ({ store }) => {
      for (const key of ['z}', 'z~', 'z~ ', 'z~a', 'z~~', 'z~~~', '{', '~', '~~', ' ', ' ~']) await store.put(key, bytes(key));
      expect(keysOf(await store.list('z~'))).toEqual(['z~', 'z~ ', 'z~a', 'z~~', 'z~~~']);
      expect(keysOf(await store.list('z~~'))).toEqual(['z~~', 'z~~~']);
      expect(keysOf(await store.list('~'))).toEqual(['~', '~~']);
      expect(keysOf(await store.list(' '))).toEqual([' ', ' ~']);
      expect(keysOf(await store.list('~', { reverse: true }))).toEqual(['~~', '~']);
      expect(keysOf(await store.list('z~', { reverse: true, limit: 2 }))).toEqual(['z~~~', 'z~~']);
    });

    test('empty ranges list nothing', async ({ store }) => {
      for (const key of ['m/1', 'm/2', 'm/3', 'n/1']) await store.put(key, bytes(key));
      expect(await store.list('m/', { start: 'm/3', end: 'm/1' })).toEqual([]);
      expect(await store.list('m/', { start: 'm/2', end: 'm/2' })).toEqual([]);
      expect(await store.list('m/', { start: 'm/2', end: 'm/2', reverse: true })).toEqual([]);
      expect(await store.list('m/x')).toEqual([]);
      expect(await store.list('m/', { start: 'n/' })).toEqual([]); // start above the prefix range
      expect(await store.list('m/', { end: 'm/' })).toEqual([]); // end at the bottom of the prefix range
      expect(await store.list('n/', { end: 'm/9' })).toEqual([]); // end below the prefix range
      expect(await store.list('m/', { limit: 0 })).toEqual([]);
      expect(await store.list('m/', { limit: 0, reverse: true })).toEqual([]);
      expect(await store.list('m/é')).toEqual([]); // no key can contain a non-ASCII character
    });

    test('a negative or fractional limit rejects', async ({ store }) => {
      await expectLimitRejection(() => store.list('m/', { limit: -1 }));
      await expectLimitRejection(() => store.list('m/', { limit: 1.5 }));
      await expectLimitRejection(() => store.list('m/', { limit: Number.NaN }));
    });

    test('list orders ascending, and reverse with limit gives the newest N', async ({ store }) => {
      const keys = Array.from({ length: 40 }, (_, index) => `log/${String(index).padStart(4, '0')}`);
      const shuffled = keys.map((_, index) => keys[(index * 17) % keys.length]!); // 17 is coprime to 40: a permutation
      for (const key of shuffled) await store.put(key, bytes(key));
      await store.put('log', bytes('not under log/'));
      await store.put('log0', bytes('sibling'));
      expect(keysOf(await store.list('log/'))).toEqual(keys);
      expect(keysOf(await store.list('log/', { reverse: true }))).toEqual([...keys].reverse());
      expect(keysOf(await store.list('log/', { reverse: true, limit: 5 }))).toEqual(keys.slice(-5).reverse());
      expect(keysOf(await store.list('log/', { limit: 5 }))).toEqual(keys.slice(0, 5));
      expect(keysOf(await store.list('log/', { limit: 1000 }))).toEqual(keys);
      expect(keysOf(await store.list('log/', { reverse: true, limit: 1 }))).toEqual(['log/0039']);
      // Paging backwards: the next page ends (exclusive) at the oldest key of the previous one.
      const firstPage = keysOf(await store.list('log/', { reverse: true, limit: 15 }));
      const secondPage = keysOf(await store.list('log/', { reverse: true, limit: 15, end: firstPage.at(-1)! }));
      const thirdPage = keysOf(await store.list('log/', { reverse: true, limit: 15, end: secondPage.at(-1)! }));
      expect([...firstPage, ...secondPage, ...thirdPage]).toEqual([...keys].reverse());
      for (const [key, value] of await store.list('log/', { reverse: true, limit: 3 })) expect(text(value)).toBe(key);
    });

    test('start is inclusive and end exclusive, in both directions', async ({ store }) => {
      for (let index = 0; index < 10; index++) await store.put(`t/${index}`, bytes(String(index)));
      expect(keysOf(await store.list('t/', { start: 't/3', end: 't/6' }))).toEqual(['t/3', 't/4', 't/5']);
      expect(keysOf(await store.list('t/', { start: 't/3', end: 't/6', reverse: true }))).toEqual(['t/5', 't/4', 't/3']);
      expect(keysOf(await store.list('t/', { start: 't/3', end: 't/6', reverse: true, limit: 2 }))).toEqual(['t/5', 't/4']);
      expect(keysOf(await store.list('t/', { start: 't/3', end: 't/6', limit: 2 }))).toEqual(['t/3', 't/4']);
      // Bounds that are not stored keys.
      expect(keysOf(await store.list('t/', { start: 't/3a', end: 't/5a' }))).toEqual(['t/4', 't/5']);
      expect(keysOf(await store.list('t/', { start: 't/7' }))).toEqual(['t/7', 't/8', 't/9']);
      expect(keysOf(await store.list('t/', { end: 't/2' }))).toEqual(['t/0', 't/1']);
      expect(keysOf(await store.list('t/', { end: 't/2', reverse: true }))).toEqual(['t/1', 't/0']);
      // Bounds outside the prefix range are clipped to it.
      await store.put('s', bytes('below'));
      await store.put('u', bytes('above'));
      expect(keysOf(await store.list('t/', { start: 'a', end: 'z' }))).toHaveLength(10);
      expect(keysOf(await store.list('t/', { start: 'a', end: 'z', reverse: true, limit: 1 }))).toEqual(['t/9']);
    });

    test('64 KiB values and values at the limit come back intact', async ({ store }) => {
      const large = patternBytes(64 * 1024, 7);
      await store.put('big/64k', large);
      expectBytes(await store.get('big/64k'), large);
      const atLimit = patternBytes(MAX_VALUE_BYTES, 11);
      await store.put('big/limit', atLimit);
      expectBytes(await store.get('big/limit'), atLimit);
      expectEntries(await store.list('big/'), [
        ['big/64k', large],
        ['big/limit', atLimit],
      ]);
      expectBytes(await store.putIfAbsent('big/64k', bytes('loses')), large);
      expectBytes(await store.take('big/64k'), large);
      expect(await store.get('big/64k')).toBeUndefined();
    });

    test('values over the limit are rejected and write nothing', async ({ store }) => {
      const over = new Uint8Array(MAX_VALUE_BYTES + 1);
      await expectLimitRejection(() => store.put('v/over', over));
      await expectLimitRejection(() => store.putIfAbsent('v/over', over));
      await expectLimitRejection(() => store.putIfAbsent('v/ok', bytes('fine'), [['v/side', over]]));
      await expectLimitRejection(() => store.putIfAbsent('v/ok', bytes('fine'), [['v/side', bytes('fine')], ['bad\nkey', bytes('x')]]));
      await expectLimitRejection(() => store.put('v/not-bytes', 'text' as unknown as Uint8Array));
      expect(await store.list('v/')).toEqual([]);
    });

    test('bad keys are rejected by every operation', async ({ store }) => {
      const badKeys = ['', 'x'.repeat(MAX_KEY_BYTES + 1), 'caf\u00e9', 'line\nbreak', 'tab\tkey', 'del\x7f', 'nul\0', '\u{1f600}'];
      for (const key of badKeys) {
        await expectLimitRejection(() => store.get(key));
        await expectLimitRejection(() => store.put(key, bytes('v')));
        await expectLimitRejection(() => store.putIfAbsent(key, bytes('v')));
        await expectLimitRejection(() => store.delete(key));
        await expectLimitRejection(() => store.take(key));
      }
      const longest = 'k'.repeat(MAX_KEY_BYTES);
      await store.put(longest, bytes('fits'));
      expect(text(await store.get(longest))).toBe('fits');
      expect(keysOf(await store.list(''))).toEqual([longest]);
    });

    test('binary values with every byte 0..255 survive every path', async ({ store }) => {
      const binary = allBytes(4);
      await store.put('bin/put', binary);
      expectBytes(await store.get('bin/put'), binary);
      expect(await store.putIfAbsent('bin/pia', binary, [['bin/also', allBytes()]])).toBeUndefined();
      expectBytes(await store.putIfAbsent('bin/pia', bytes('loser')), binary);
      expectBytes(await store.get('bin/also'), allBytes());
      expectEntries(await store.list('bin/'), [
        ['bin/also', allBytes()],
        ['bin/pia', binary],
        ['bin/put', binary],
      ]);
      expectBytes(await store.take('bin/put'), binary);
      const zeros = new Uint8Array(1000);
      await store.put('bin/zeros', zeros);
      expectBytes(await store.get('bin/zeros'), zeros);
    });

    test('putIfAbsent on an existing key returns it and writes nothing', async ({ store }) => {
      await store.put('claim', bytes('original'));
      expect(text(await store.putIfAbsent('claim', bytes('usurper'), [['claim/side', bytes('side')]]))).toBe('original');
      expect(text(await store.get('claim'))).toBe('original');
      expect(await store.get('claim/side')).toBeUndefined();
      expect(await store.putIfAbsent('fresh', bytes('new'), [['fresh/a', bytes('a')], ['fresh/b', bytes('b')]])).toBeUndefined();
      expect(await store.list('fresh')).toEqual([
        ['fresh', bytes('new')],
        ['fresh/a', bytes('a')],
        ['fresh/b', bytes('b')],
      ]);
      // alsoPut replaces earlier values of its keys.
      await store.put('over/x', bytes('old'));
      expect(await store.putIfAbsent('over', bytes('v'), [['over/x', bytes('new')]])).toBeUndefined();
      expect(text(await store.get('over/x'))).toBe('new');
    });

    test('100 concurrent putIfAbsent on one key: exactly one wins, only its alsoPut is written', async ({ store }) => {
      const callers = Array.from({ length: 100 }, (_, index) => index);
      const results = await Promise.all(
        callers.map((index) =>
          store.putIfAbsent('race', bytes(`value-${index}`), [
            [`race-side/${String(index).padStart(3, '0')}/a`, bytes(`a-${index}`)],
            [`race-side/${String(index).padStart(3, '0')}/b`, bytes(`b-${index}`)],
          ]),
        ),
      );
      const winners = callers.filter((index) => results[index] === undefined);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      for (const index of callers) {
        if (index !== winner) expect(text(results[index])).toBe(`value-${winner}`);
      }
      expect(text(await store.get('race'))).toBe(`value-${winner}`);
      const side = String(winner).padStart(3, '0');
      expect(await store.list('race-side/')).toEqual([
        [`race-side/${side}/a`, bytes(`a-${winner}`)],
        [`race-side/${side}/b`, bytes(`b-${winner}`)],
      ]);
    });

    test('concurrent takers: exactly one gets the value', async ({ store }) => {
      await store.put('ticket', bytes('one-time'));
      const results = await Promise.all(Array.from({ length: 50 }, () => store.take('ticket')));
      const winners = results.filter((result) => result !== undefined);
      expect(winners).toHaveLength(1);
      expect(text(winners[0])).toBe('one-time');
      expect(await store.get('ticket')).toBeUndefined();
      expect(await store.take('ticket')).toBeUndefined();
      expect(await store.delete('ticket')).toBe(false);
    });

    test('stored bytes are private: callers mutate only their copies', async ({ store }) => {
      const input = bytes('original');
      await store.put('c/put', input);
      input.fill(0x21);
      const read = (await store.get('c/put'))!;
      expect(text(read)).toBe('original');
      read.fill(0x22);
      expect(text(await store.get('c/put'))).toBe('original');

      const listed = await store.list('c/');
      listed[0]![1].fill(0x23);
      expect(text(await store.get('c/put'))).toBe('original');

      const claim = bytes('claimed');
      const side = bytes('side');
      await store.putIfAbsent('c/pia', claim, [['c/side', side]]);
      claim.fill(0x24);
      side.fill(0x25);
      expect(text(await store.get('c/pia'))).toBe('claimed');
      expect(text(await store.get('c/side'))).toBe('side');
      const existing = (await store.putIfAbsent('c/pia', bytes('loser')))!;
      existing.fill(0x26);
      expect(text(await store.get('c/pia'))).toBe('claimed');

      // A view into a larger buffer stores exactly the viewed bytes.
      const backing = bytes('xxINSIDEyy');
      await store.put('c/view', backing.subarray(2, 8));
      backing.fill(0x27);
      expect(text(await store.get('c/view'))).toBe('INSIDE');
    });

    test('a put not yet awaited is kept by close', async ({ store, reopen }, track) => {
      const pending = store.put('late', bytes('written before close'));
      await store.close?.();
      await pending;
      if (reopen !== undefined) {
        const reopened = track(await reopen());
        expect(text(await reopened.get('late'))).toBe('written before close');
      }
    });

    test('reopen after close keeps everything', async ({ store, reopen }, track, context) => {
      if (reopen === undefined) {
        context.skip('the adapter is not durable');
        return;
      }
      const large = patternBytes(64 * 1024, 3);
      await store.put('keep/binary', allBytes(2));
      await store.put('keep/large', large);
      await store.put('keep/overwritten', bytes('old'));
      await store.put('keep/overwritten', bytes('new'));
      await store.put('keep/deleted', bytes('gone'));
      await store.delete('keep/deleted');
      await store.put('keep/taken', bytes('gone too'));
      await store.take('keep/taken');
      await store.putIfAbsent('keep/claim', bytes('claim'), [['keep/claim/side', bytes('side')]]);
      await Promise.all(Array.from({ length: 200 }, (_, index) => store.put(`keep/many/${String(index).padStart(3, '0')}`, bytes(String(index)))));
      const before = await store.list('');
      await store.close?.();

      const reopened = track(await reopen());
      expectEntries(await reopened.list(''), before);
      expectBytes(await reopened.get('keep/binary'), allBytes(2));
      expectBytes(await reopened.get('keep/large'), large);
      expect(text(await reopened.get('keep/overwritten'))).toBe('new');
      expect(await reopened.get('keep/deleted')).toBeUndefined();
      expect(await reopened.get('keep/taken')).toBeUndefined();
      expect(text(await reopened.get('keep/claim/side'))).toBe('side');
      expect(await reopened.list('keep/many/')).toHaveLength(200);
      // And it is writable again.
      await reopened.put('keep/after', bytes('after'));
      expect(text(await reopened.get('keep/after'))).toBe('after');
    });

    test('close is idempotent and later operations reject', async ({ store }, _track, context) => {
      if (store.close === undefined) {
        context.skip('the adapter has no close');
        return;
      }
      await store.put('k', bytes('v'));
      await store.close();
      await store.close();
      await expectRejection(() => store.get('k'));
      await expectRejection(() => store.put('k', bytes('v')));
      await expectRejection(() => store.putIfAbsent('k2', bytes('v')));
      await expectRejection(() => store.delete('k'));
      await expectRejection(() => store.take('k'));
      await expectRejection(() => store.list(''));
    });
  });
}
