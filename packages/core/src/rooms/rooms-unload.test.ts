import { describe, expect, it } from 'vitest';
import { MemoryBus, type Bus } from '@michat/bus';
import { CHANNEL_BITS, encodeObject, makeName, makePrefix, nameFields, toHex, type Prefix } from '@michat/protocol';
import { MemoryKvStore } from '../kv/memory-kv.ts';
import { ClusterLink } from '../cluster/cluster-link.ts';
import type { Clock } from '../ports/clock.ts';
import { noMetrics, silentLogger } from '../ports/telemetry.ts';
import { ROOM_IDLE_MS, Rooms } from './rooms.ts';
import type { Subscriber } from './subscriber.ts';

/** A clock whose timers run when the test advances it. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.UTC(2026, 10, 23);
  let timers: Array<{ at: number; fn: () => void }> = [];
  return {
    now: () => now,
    setTimer(ms, fn) {
      const t = { at: now + ms, fn };
      timers.push(t);
      return () => void (timers = timers.filter((x) => x !== t));
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const next = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers = timers.filter((t) => t !== next);
        now = next.at;
        next.fn();
      }
      now = end;
    },
  };
}

/** The bus, counting live subscriptions per topic. */
function countingBus(): Bus & { live(topic: string): number } {
  const bus = new MemoryBus();
  const counts = new Map<string, number>();
  return {
    publish: (topic, bytes) => bus.publish(topic, bytes),
    async subscribe(topic, handler) {
      const stop = await bus.subscribe(topic, handler);
      counts.set(topic, (counts.get(topic) ?? 0) + 1);
      let stopped = false;
      return async () => {
        if (!stopped) counts.set(topic, counts.get(topic)! - 1);
        stopped = true;
        await stop();
      };
    },
    live: (topic) => counts.get(topic) ?? 0,
  };
}

const channel: Prefix = makePrefix(makeName({ kind: 1, org: 1, team: 1, channel: 1, device: 0, seq: 0 }), CHANNEL_BITS);
const reader: Subscriber = { connectionId: 1, userId: 1, username: 'reader', deviceId: 9, send: () => true };

function message(clock: Clock, seq: number) {
  const f = nameFields(channel.name);
  return encodeObject({ name: makeName({ ...f, device: 5, seq }), created: clock.now(), keyEpoch: 0 }, new TextEncoder().encode('hello'));
}

describe('idle rooms', () => {
  it('are unloaded after five idle minutes (freeing their bus topic) and come back from the store', async () => {
    const clock = manualClock();
    const kv = new MemoryKvStore();
    const bus = countingBus();
    const link = new ClusterLink({ bus, logger: silentLogger, metrics: noMetrics });
    const rooms = new Rooms({ kv, clock, metrics: noMetrics, link });
    rooms.start();
    const topic = `room/${toHex(channel.name).slice(0, 18)}`;

    const room = await rooms.get(channel);
    room.subscribe(reader, 1, channel);
    await room.publish(message(clock, 1));
    expect(bus.live(topic)).toBe(1);

    clock.advance(ROOM_IDLE_MS * 2);
    expect([...rooms.all()]).toEqual([room]); // a subscriber keeps it
    room.unsubscribe(reader, 1);
    clock.advance(ROOM_IDLE_MS - 10_000);
    expect([...rooms.all()]).toEqual([room]); // not idle long enough
    await rooms.get(channel); // handed out again: the idle time starts over
    clock.advance(ROOM_IDLE_MS - 10_000);
    expect([...rooms.all()]).toEqual([room]);
    clock.advance(20_000);
    expect([...rooms.all()]).toEqual([]);
    expect(bus.live(topic)).toBe(0);

    const again = await rooms.get(channel);
    expect(again).not.toBe(room);
    expect(again.held.has(5, 1)).toBe(true); // read back from the store
    expect(bus.live(topic)).toBe(1);
    rooms.close();
  });
});
