import { channelKey, encodeFrame, nameFields, type Prefix } from '@michat/protocol';
import type { Directory } from '../directory/directory.ts';
import { channelPrefixHex } from '../directory/channel-view.ts';
import type { MembershipRemoved } from '../directory/membership-events.ts';
import { Room, type RoomDeps } from './room.ts';
import type { RemoteRoomEvent } from './room-link.ts';

const PRESENCE_SWEEP_MS = 2_000;
/** Cluster mode: every this many sweeps, presence is reconciled with the shared store. */
const RECONCILE_EVERY_SWEEPS = 3;
/**
 * A room nobody has used for this long (no subscriber, nobody present, not handed out by
 * get) is unloaded: memory and, in cluster mode, its bus subscription are freed. The next
 * use loads it again from the store.
 */
export const ROOM_IDLE_MS = 5 * 60_000;
/** Cluster mode: a heal that could not read the store (it is down too) tries again after this. */
const HEAL_RETRY_MS = 2_000;

/** The rooms of this node, loaded on first use and kept while the node runs. */
export class Rooms {
  private readonly deps: RoomDeps;
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly loaded = new Set<Room>();
  private readonly byKey = new Map<string, Room>();
  /** Cluster mode: how each loaded room stops following its channel on the bus. */
  private readonly unfollows = new Map<Room, () => void>();
  private cancelSweep: (() => void) | undefined;
  /** Cluster mode: rooms loaded while the bus was down, with the receiver to follow them with once it is back. */
  private readonly unfollowed = new Map<Room, (event: RemoteRoomEvent) => void>();
  private cancelHealRetry: (() => void) | undefined;
  private closed = false;
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
   * no further objects, presence or typing from it. (In cluster mode other nodes do the same
   * when the bus tells them; a lost message is caught at the next heartbeat, sub or sync.)
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
    // Handed out: not idle. (Callers use a room right after getting it, so a room is never
    // unloaded between a get and its use.)
    const loaded = this.byKey.get(key);
    if (loaded) loaded.touchedAt = this.deps.clock.now();
    if (!room) {
      room = this.load(channel);
      this.rooms.set(key, room);
      room.then(
        (r) => {
          r.touchedAt = this.deps.clock.now();
          this.loaded.add(r);
          this.byKey.set(key, r);
          this.deps.metrics.gauge('rooms', 1);
        },
        () => this.rooms.delete(key),
      );
    }
    return room;
  }

  /** The channel's room if it is loaded now (without marking it used). */
  peek(channel: Prefix): Room | undefined {
    return this.byKey.get(channelKey(channel.name));
  }

  /**
   * Cluster mode: messages from other nodes may have been lost. Follows the rooms that could
   * not follow their channel, and adds what storage holds to every room's vector; retries
   * by itself while storage is down too.
   */
  async heal(): Promise<void> {
    this.cancelHealRetry?.();
    this.cancelHealRetry = undefined;
    const link = this.deps.link;
    let failed = false;
    for (const [room, receive] of [...this.unfollowed]) {
      if (!link) break;
      try {
        const stop = await link.follow(room.channel, receive);
        if (this.unfollowed.delete(room)) this.unfollows.set(room, stop);
        else stop(); // unloaded meanwhile
      } catch {
        failed = true;
      }
    }
    const results = await Promise.allSettled([...this.loaded].map((r) => r.refresh()));
    if (results.some((r) => r.status === 'rejected')) failed = true;
    if (failed && !this.closed) this.cancelHealRetry = this.deps.clock.setTimer(HEAL_RETRY_MS, () => void this.heal());
  }

  /** Every loaded room (for dropping a closed connection everywhere). */
  all(): Iterable<Room> {
    return this.loaded;
  }

  start(): void {
    if (this.cancelSweep) return;
    let sweeps = 0;
    const tick = () => {
      const now = this.deps.clock.now();
      for (const r of this.loaded) r.presence.sweep(now);
      this.unloadIdle(now);
      if (this.deps.link && ++sweeps % RECONCILE_EVERY_SWEEPS === 0) {
        for (const r of this.loaded) void r.presence.reconcile().catch(() => undefined);
      }
      this.cancelSweep = this.deps.clock.setTimer(PRESENCE_SWEEP_MS, tick);
    };
    this.cancelSweep = this.deps.clock.setTimer(PRESENCE_SWEEP_MS, tick);
  }

  close(): void {
    this.closed = true;
    this.cancelHealRetry?.();
    this.cancelSweep?.();
    this.cancelSweep = undefined;
    this.following?.stop();
  }

  /** Unloads rooms idle for ROOM_IDLE_MS. */
  private unloadIdle(now: number): void {
    for (const room of [...this.loaded]) {
      if (!room.idle) {
        room.idleSince = undefined;
        continue;
      }
      room.idleSince ??= now;
      if (now - Math.max(room.idleSince, room.touchedAt) < ROOM_IDLE_MS) continue;
      const key = channelKey(room.channel.name);
      this.loaded.delete(room);
      this.byKey.delete(key);
      this.rooms.delete(key);
      this.unfollowed.delete(room);
      this.unfollows.get(room)?.();
      this.unfollows.delete(room);
      this.deps.metrics.gauge('rooms', -1);
    }
  }

  /**
   * Loads a room; in cluster mode it first follows the channel on the bus, so nothing other
   * nodes store after the vector is read can be missed (what comes in between is applied
   * once loaded). With the bus down the room still loads, and heal() follows it later.
   */
  private async load(channel: Prefix): Promise<Room> {
    const link = this.deps.link;
    if (!link) return Room.load(channel, this.deps);
    let room: Room | undefined;
    const early: RemoteRoomEvent[] = [];
    let loaded!: (room: Room | undefined) => void;
    const loading = new Promise<Room | undefined>((resolve) => (loaded = resolve));
    const receive = (event: RemoteRoomEvent): void | Promise<unknown> => {
      if (room) return room.receive(event);
      // Relay mode: a relayed object settles once the room has loaded and stored it.
      if (event.k === 'obj' && event.relayed) return loading.then((r) => r?.receive(event));
      early.push(event);
    };
    const unfollow = await link.follow(channel, receive).catch(() => undefined);
    try {
      room = await Room.load(channel, this.deps);
    } catch (e) {
      loaded(undefined);
      unfollow?.();
      throw e;
    }
    for (const event of early) room.receive(event);
    loaded(room);
    if (unfollow) this.unfollows.set(room, unfollow);
    else this.unfollowed.set(room, receive);
    return room;
  }

  private async isArchived(channel: Prefix): Promise<boolean> {
    const directory = this.following?.directory;
    return !!directory && !!(await directory.channel(nameFields(channel.name).channel))?.archived;
  }
}
