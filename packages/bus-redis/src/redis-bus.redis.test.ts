import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BusCollector, runBusTests, startRedis, type RedisServer } from '@michat/testkit';
import { RedisBus, type RedisBusOptions } from './redis-bus.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const quiet = { onHandlerError: () => undefined, onConnectionError: () => undefined };

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

runBusTests('RedisBus', async () => {
  const options: RedisBusOptions = { url: server.url, prefix: `test/${randomUUID()}/`, ...quiet };
  return { bus: await RedisBus.connect(options), connect: () => RedisBus.connect(options) };
});

describe('RedisBus', () => {
  const buses: RedisBus[] = [];
  const connect = async (options: Partial<RedisBusOptions> = {}): Promise<RedisBus> => {
    const bus = await RedisBus.connect({ url: server.url, prefix: `test/${randomUUID()}/`, ...quiet, ...options });
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
  });

  it('deployments with different prefixes do not hear each other', async () => {
    const [blue, alsoBlue, green] = [await connect({ prefix: 'blue/' }), await connect({ prefix: 'blue/' }), await connect({ prefix: 'green/' })];
    const [onBlue, onGreen] = [new BusCollector(), new BusCollector()];
    await alsoBlue.subscribe('room', onBlue.handler);
    await green.subscribe('room', onGreen.handler);
    await blue.publish('room', bytes('blue 1'));
    await green.publish('room', bytes('green 1'));
    await Promise.all([onBlue.waitFor(1), onGreen.waitFor(1)]);
    await blue.publish('room', bytes('blue 2'));
    await onBlue.waitFor(2);
    expect(onBlue.texts).toEqual(['blue 1', 'blue 2']);
    expect(onGreen.texts).toEqual(['green 1']);
  });

  it('after a Redis restart, subscriptions come back by themselves and delivery resumes', async () => {
    const prefix = `test/${randomUUID()}/`;
    const [publisher, listener] = [await connect({ prefix }), await connect({ prefix })];
    const [kept, dropped, local] = [new BusCollector(), new BusCollector(), new BusCollector()];
    await listener.subscribe('kept', kept.handler);
    const unsubscribeDropped = await listener.subscribe('dropped', dropped.handler);
    await publisher.subscribe('kept', local.handler);
    let restored = 0;
    listener.onRestored(() => restored++);
    await publisher.publish('kept', bytes('before'));
    await Promise.all([kept.waitFor(1), local.waitFor(1)]);

    await server.kill('SIGKILL');
    // While Redis is down, calls fail promptly instead of queueing (what they sent is lost).
    const started = performance.now();
    await expect(publisher.publish('kept', bytes('while down'))).rejects.toThrow();
    await expect(listener.subscribe('new-topic', () => undefined)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
    await unsubscribeDropped(); // resolves even now: delivery stops locally

    expect(restored).toBe(0);
    await server.restart();
    // onRestored says when the listener is back with its subscriptions (once per reconnect).
    await expect.poll(() => restored, { timeout: 15_000, interval: 50 }).toBe(1);
    // The subscription was restored without any call: probing, a message arrives (bounded).
    const deadline = Date.now() + 15_000;
    let probes = 0;
    while (kept.received.length < 2 && Date.now() < deadline) {
      await publisher.publish('kept', bytes(`probe ${probes++}`)).catch(() => undefined);
      await kept.waitFor(2, 100).catch(() => undefined);
    }
    expect(kept.received.length).toBeGreaterThanOrEqual(2);
    await local.waitFor(2); // the publisher's own subscription came back too
    await publisher.publish('dropped', bytes('not for the dropped handler'));
    await publisher.publish('kept', bytes('after'));
    await kept.waitFor(kept.received.length + 1);
    expect(kept.texts.at(-1)).toBe('after');
    expect(dropped.texts).toEqual([]);
  }, 60_000);

  it('connect rejects promptly when Redis is unreachable', async () => {
    const started = performance.now();
    await expect(RedisBus.connect({ url: 'redis://127.0.0.1:1', prefix: 'x/', ...quiet })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
