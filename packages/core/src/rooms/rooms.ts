import { channelKey, type Prefix } from '@michat/protocol';
import { Room, type RoomDeps } from './room.ts';

const PRESENCE_SWEEP_MS = 2_000;

/** The rooms of this node, loaded on first use and kept while the node runs. */
export class Rooms {
  private readonly deps: RoomDeps;
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly loaded = new Set<Room>();
  private cancelSweep: (() => void) | undefined;

  constructor(deps: RoomDeps) {
    this.deps = deps;
  }

  /** The room of a channel prefix (72 bits). */
  get(channel: Prefix): Promise<Room> {
    const key = channelKey(channel.name);
    let room = this.rooms.get(key);
    if (!room) {
      room = Room.load(channel, this.deps);
      this.rooms.set(key, room);
      room.then(
        (r) => {
          this.loaded.add(r);
          this.deps.metrics.gauge('rooms', 1);
        },
        () => this.rooms.delete(key),
      );
    }
    return room;
  }

  /** Every loaded room (for dropping a closed connection everywhere). */
  all(): Iterable<Room> {
    return this.loaded;
  }

  start(): void {
    if (this.cancelSweep) return;
    const tick = () => {
      const now = this.deps.clock.now();
      for (const r of this.loaded) r.sweepPresence(now);
      this.cancelSweep = this.deps.clock.setTimer(PRESENCE_SWEEP_MS, tick);
    };
    this.cancelSweep = this.deps.clock.setTimer(PRESENCE_SWEEP_MS, tick);
  }

  close(): void {
    this.cancelSweep?.();
    this.cancelSweep = undefined;
  }
}
