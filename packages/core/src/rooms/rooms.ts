import { channelKey, encodeFrame, nameFields, type Prefix } from '@michat/protocol';
import type { Directory } from '../directory/directory.ts';
import { channelPrefixHex } from '../directory/channel-view.ts';
import type { MembershipRemoved } from '../directory/membership-events.ts';
import { Room, type RoomDeps } from './room.ts';

const PRESENCE_SWEEP_MS = 2_000;

/** The rooms of this node, loaded on first use and kept while the node runs. */
export class Rooms {
  private readonly deps: RoomDeps;
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly loaded = new Set<Room>();
  private cancelSweep: (() => void) | undefined;
  private following: { directory: Directory; stop: () => void } | undefined;

  constructor(deps: RoomDeps) {
    this.deps = { isArchived: (channel) => this.isArchived(channel), ...deps };
  }

  /**
   * Follows the directory: a user who loses a channel (leave, remove, ban, team removal)
   * stops receiving from it at once, and archived channels refuse new publishes. Call once
   * per node (calling again with the same directory changes nothing); returns the stopper.
   */
  follow(directory: Directory): () => void {
    if (this.following?.directory === directory) return this.following.stop;
    this.following?.stop();
    const off = directory.onMembershipRemoved((e) => this.endMembership(e));
    const stop = () => {
      off();
      if (this.following?.directory === directory) this.following = undefined;
    };
    this.following = { directory, stop };
    return stop;
  }

  /**
   * Ends every live subscription and the presence of the user in the channel on this node:
   * each of their connections gets an `err` Forbidden naming the subscription's prefix, and
   * no further objects, presence or typing from it. (Other nodes find out at the user's next
   * heartbeat, sub or sync, which the directory already refuses.)
   */
  endMembership(e: Pick<MembershipRemoved, 'channel' | 'userId'>): void {
    const room = this.rooms.get(channelPrefixHex(e.channel));
    if (!room) return;
    const msg = `you are no longer a member of channel ${e.channel.id}`;
    room.then((r) => {
      for (const { sub, prefixes } of r.connectionsOf(e.userId)) {
        r.drop(sub);
        for (const [id, p] of prefixes) {
          sub.send(encodeFrame({ t: 'err', kind: 'Forbidden', msg, prefix: p.name, bits: p.bits }));
          sub.onSubscriptionEnded?.(id);
        }
      }
    }, () => undefined);
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
    this.following?.stop();
  }

  private async isArchived(channel: Prefix): Promise<boolean> {
    const directory = this.following?.directory;
    return !!directory && !!(await directory.channel(nameFields(channel.name).channel))?.archived;
  }
}
