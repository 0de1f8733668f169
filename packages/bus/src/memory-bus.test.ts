import { describe, expect, it } from 'vitest';
import { BusCollector, runBusTests } from '@michat/testkit';
import { MemoryBus, MemoryBusHub } from './memory-bus.ts';

const quiet = { onHandlerError: () => undefined };

runBusTests('MemoryBus', async () => {
  const hub = new MemoryBusHub();
  return { bus: new MemoryBus({ hub, ...quiet }), connect: async () => new MemoryBus({ hub, ...quiet }) };
});

describe('MemoryBus', () => {
  it('never runs a handler inside publish, and reports handler errors to its hook', async () => {
    const errors: unknown[] = [];
    const bus = new MemoryBus({ onHandlerError: (error) => errors.push(error) });
    let inside = false;
    let ranInside = false;
    const collector = new BusCollector();
    await bus.subscribe('t', () => {
      ranInside ||= inside;
      throw new Error('boom');
    });
    await bus.subscribe('t', collector.handler);
    inside = true;
    const published = bus.publish('t', new Uint8Array([1]));
    inside = false;
    await published;
    await collector.waitFor(1);
    expect(ranInside).toBe(false);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('separate hubs are separate deployments, and a lone bus has its own', async () => {
    const [a, b] = [new MemoryBus(), new MemoryBus()];
    const [onA, onB] = [new BusCollector(), new BusCollector()];
    await a.subscribe('t', onA.handler);
    await b.subscribe('t', onB.handler);
    await b.publish('t', new TextEncoder().encode('only b'));
    await a.publish('t', new TextEncoder().encode('only a'));
    await Promise.all([onA.waitFor(1), onB.waitFor(1)]);
    expect(onA.texts).toEqual(['only a']);
    expect(onB.texts).toEqual(['only b']);
  });

  it('drops a topic from the hub when its last subscriber leaves', async () => {
    const hub = new MemoryBusHub();
    const bus = new MemoryBus({ hub });
    const unsubscribe = await bus.subscribe('t', () => undefined);
    expect(hub.topics.size).toBe(1);
    await unsubscribe();
    expect(hub.topics.size).toBe(0);
  });
});
