import { describe, expect, it } from 'vitest';
import type { Bus } from '@michat/bus';

export interface BusFixture {
  /** A node of a fresh deployment (its own key/channel prefix). */
  bus: Bus;
  /** Another node of the same deployment: what one publishes, the other's subscribers get. */
  connect: () => Promise<Bus>;
  /** Frees what setup made; called after every bus it returned is closed. */
  teardown?: () => Promise<void>;
}

/** How long a message may take to arrive before a test gives up on it. */
const DELIVERY_TIMEOUT_MS = 5_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** Records what one handler receives and lets a test wait for a number of messages. */
export class BusCollector {
  readonly received: Uint8Array[] = [];
  #waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly handler = (message: Uint8Array): void => {
    this.received.push(message);
    this.#waiters = this.#waiters.filter((waiter) => (this.received.length >= waiter.count ? (waiter.resolve(), false) : true));
  };

  get texts(): string[] {
    return this.received.map((message) => decoder.decode(message));
  }

  /** Resolves once `count` messages in all have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} messages within ${timeoutMs} ms, got ${this.received.length}`)), timeoutMs);
      this.#waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
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
 * The conformance suite of the Bus port: every adapter must pass it.
 *
 * `setup` runs before every test and returns a node of a fresh deployment and a way to
 * connect more nodes to it. Tests never sleep: "X did not arrive" is shown by a later
 * message from the same publisher on the same topic that did (per-topic order).
 */
export function runBusTests(name: string, setup: () => Promise<BusFixture>): void {
  describe(`Bus conformance: ${name}`, () => {
    function test(title: string, body: (bus: Bus, connect: () => Promise<Bus>) => Promise<void>): void {
      it(title, async () => {
        const fixture = await setup();
        const opened: Bus[] = [fixture.bus];
        const connect = async (): Promise<Bus> => {
          const bus = await fixture.connect();
          opened.push(bus);
          return bus;
        };
        try {
          await body(fixture.bus, connect);
        } finally {
          for (const bus of opened.reverse()) await bus.close?.();
          await fixture.teardown?.();
        }
      });
    }

    test('delivers to every subscriber of the topic on every node, the publishing node included', async (a, connect) => {
      const b = await connect();
      const [onA1, onA2, onB] = [new BusCollector(), new BusCollector(), new BusCollector()];
      await a.subscribe('room/1', onA1.handler);
      await a.subscribe('room/1', onA2.handler);
      await b.subscribe('room/1', onB.handler);
      await a.publish('room/1', bytes('from a'));
      await b.publish('room/1', bytes('from b'));
      await Promise.all([onA1.waitFor(2), onA2.waitFor(2), onB.waitFor(2)]);
      for (const collector of [onA1, onA2, onB]) expect(collector.texts.sort()).toEqual(['from a', 'from b']);
    });

    test('does not deliver to other topics, however similar their names', async (bus, connect) => {
      const other = await connect();
      const topics = ['room/1', 'room/10', 'room/1/', 'room/*', 'room/?', 'Room/1', 'room'];
      const collectors = topics.map(() => new BusCollector());
      for (const [index, topic] of topics.entries()) await other.subscribe(topic, collectors[index]!.handler);
      for (const topic of topics) await bus.publish(topic, bytes(`to ${topic}`));
      // Each topic's message is the last its publisher sent there, so if another had been
      // misrouted to it, it would have arrived by now too.
      await Promise.all(collectors.map((collector) => collector.waitFor(1)));
      for (const [index, topic] of topics.entries()) {
        await bus.publish(topic, bytes('marker'));
        await collectors[index]!.waitFor(2);
        expect(collectors[index]!.texts).toEqual([`to ${topic}`, 'marker']);
      }
    });

    test('unsubscribe stops delivery to that handler only, is idempotent, and a topic can be subscribed again', async (bus, connect) => {
      const other = await connect();
      const [gone, stays, remote] = [new BusCollector(), new BusCollector(), new BusCollector()];
      const unsubscribe = await bus.subscribe('t', gone.handler);
      await bus.subscribe('t', stays.handler);
      await other.subscribe('t', remote.handler);
      await other.publish('t', bytes('1'));
      await Promise.all([gone.waitFor(1), stays.waitFor(1), remote.waitFor(1)]);

      await unsubscribe();
      await unsubscribe();
      await other.publish('t', bytes('2'));
      await Promise.all([stays.waitFor(2), remote.waitFor(2)]);
      expect(gone.texts).toEqual(['1']);

      // The last local handler leaving, then coming back.
      const [solo, again] = [new BusCollector(), new BusCollector()];
      const unsubscribeSolo = await bus.subscribe('solo', solo.handler);
      await unsubscribeSolo();
      await bus.subscribe('solo', again.handler);
      await other.publish('solo', bytes('back'));
      await again.waitFor(1);
      await other.publish('t', bytes('3'));
      await stays.waitFor(3);
      expect(solo.texts).toEqual([]);
      expect(again.texts).toEqual(['back']);
    });

    test('bytes arrive intact: every byte value, empty, 64 KiB, and each handler gets its own copy', async (bus, connect) => {
      const other = await connect();
      const [first, second] = [new BusCollector(), new BusCollector()];
      await other.subscribe('bin', first.handler);
      await other.subscribe('bin', second.handler);
      const everyByte = Uint8Array.from({ length: 512 }, (_, index) => index % 256);
      const large = Uint8Array.from({ length: 64 * 1024 }, (_, index) => (index * 7919) & 0xff);
      const reused = bytes('original');
      await bus.publish('bin', everyByte);
      await bus.publish('bin', new Uint8Array(0));
      await bus.publish('bin', large);
      await bus.publish('bin', reused.subarray(2, 6));
      reused.fill(0x21); // the publisher reuses its buffer at once
      await Promise.all([first.waitFor(4), second.waitFor(4)]);
      for (const collector of [first, second]) {
        const [gotEvery, gotEmpty, gotLarge, gotSlice] = collector.received;
        expect(gotEvery).toBeInstanceOf(Uint8Array);
        expect(Array.from(gotEvery!)).toEqual(Array.from(everyByte));
        expect(gotEmpty).toHaveLength(0);
        expect(gotLarge).toHaveLength(large.length);
        expect(gotLarge!.findIndex((byte, index) => byte !== large[index])).toBe(-1);
        expect(decoder.decode(gotSlice)).toBe('igin');
      }
      first.received[0]!.fill(0);
      expect(Array.from(second.received[0]!)).toEqual(Array.from(everyByte));
    });

    test('many topics each get exactly their own messages', async (bus, connect) => {
      const other = await connect();
      const count = 200;
      const collectors = Array.from({ length: count }, () => new BusCollector());
      await Promise.all(collectors.map((collector, index) => other.subscribe(`many/${index}`, collector.handler)));
      await Promise.all(collectors.map((_, index) => bus.publish(`many/${index}`, bytes(`message ${index}`))));
      await Promise.all(collectors.map((collector) => collector.waitFor(1)));
      await Promise.all(collectors.map((_, index) => bus.publish(`many/${index}`, bytes('end'))));
      await Promise.all(collectors.map((collector) => collector.waitFor(2)));
      collectors.forEach((collector, index) => expect(collector.texts).toEqual([`message ${index}`, 'end']));
    });

    test("one publisher's messages to one topic arrive in order", async (bus, connect) => {
      const other = await connect();
      const collector = new BusCollector();
      await other.subscribe('ordered', collector.handler);
      const count = 500;
      await Promise.all(Array.from({ length: count }, (_, index) => bus.publish('ordered', bytes(String(index)))));
      await collector.waitFor(count);
      expect(collector.texts).toEqual(Array.from({ length: count }, (_, index) => String(index)));
    });

    test('a throwing handler does not stop delivery to the others', async (bus) => {
      const collector = new BusCollector();
      await bus.subscribe('throws', () => {
        throw new Error('handler failure (expected by the test)');
      });
      await bus.subscribe('throws', collector.handler);
      await bus.publish('throws', bytes('1'));
      await bus.publish('throws', bytes('2'));
      await collector.waitFor(2);
      expect(collector.texts).toEqual(['1', '2']);
    });

    test('bad topics reject; close is idempotent and later calls reject', async (bus, connect) => {
      await expectRejection(() => bus.publish('', bytes('x')));
      await expectRejection(() => bus.subscribe('', () => undefined));
      await expectRejection(() => bus.publish('x'.repeat(10_000), bytes('x')));
      const other = await connect();
      if (other.close === undefined) return;
      const collector = new BusCollector();
      await other.subscribe('closing', collector.handler);
      await other.close();
      await other.close();
      await expectRejection(() => other.publish('closing', bytes('x')));
      await expectRejection(() => other.subscribe('closing', () => undefined));
      // A closed node's subscriptions are gone; the deployment goes on.
      const witness = new BusCollector();
      await bus.subscribe('closing', witness.handler);
      await bus.publish('closing', bytes('after close'));
      await witness.waitFor(1);
      expect(collector.texts).toEqual([]);
    });
  });
}
