import { PRESENCE_TTL_MS, encodeFrame, type Prefix } from '@michat/protocol';
import type { Clock } from '../ports/clock.ts';
import { PresenceTable, type PresenceStatus } from './presence-table.ts';
import type { PresenceChange, PresenceEntry, RoomLink } from './room-link.ts';
import type { Subscriber } from './subscriber.ts';

export interface RoomPresenceDeps {
  channel: Prefix;
  clock: Clock;
  link: RoomLink | undefined;
  /** Sends a frame to the room's subscribers on this node (but `except`). */
  broadcast(frame: Uint8Array, except?: Subscriber): void;
  /** Whether anyone on this node subscribes to the room. */
  watched(): boolean;
}

/**
 * Who is present in one channel and who is typing: this node's connections (by heartbeat,
 * with a TTL) and, in cluster mode, the devices of other nodes, which the shared presence
 * store lists and the bus announces.
 */
export class RoomPresence {
  readonly table = new PresenceTable();
  private readonly deps: RoomPresenceDeps;
  /** Cluster mode: devices on other nodes that this node's subscribers were told are present. */
  private readonly remote = new Map<string, PresenceEntry>();
  /** Of those, the ones the store lacked at the last reconciliation (gone if it lacks them again). */
  private readonly missing = new Set<string>();

  constructor(deps: RoomPresenceDeps) {
    this.deps = deps;
  }

  /** A heartbeat from a subscriber: renews its presence, announcing it when news. */
  beat(sub: Subscriber, status: PresenceStatus): void {
    const previous = this.table.status(sub.connectionId);
    if (this.table.beat(sub, status, this.deps.clock.now() + PRESENCE_TTL_MS)) this.announce(sub, status);
    this.deps.link?.present(this.deps.channel, entryOf(sub, status), previous);
  }

  /** Presence of a connection ends now (explicit leave, closed, access removed). */
  leave(sub: Subscriber): void {
    const gone = this.table.remove(sub.connectionId);
    if (gone) this.ended(sub, gone.status);
  }

  /** Drops presence whose TTL ran out. */
  sweep(now: number): void {
    for (const e of this.table.sweep(now)) this.ended(e.sub, e.status);
  }

  /** Shows a typing indicator to every other subscriber (never stored). */
  typing(sub: Subscriber): void {
    const frame = encodeFrame({ t: 'typing', channel: this.deps.channel.name, user: sub.username, device: sub.deviceId });
    this.deps.broadcast(frame, sub);
    this.deps.link?.share(this.deps.channel, { k: 'frame', f: frame });
  }

  /** Who is present: on every node in cluster mode (when the presence store answers), else here. */
  async snapshot(): Promise<Uint8Array> {
    const local = this.table.snapshot();
    const everywhere = await this.deps.link?.roster(this.deps.channel);
    const localKeys = new Set(local.map(presenceKey));
    for (const e of everywhere ?? []) if (!localKeys.has(presenceKey(e))) this.note(e);
    const byDevice = new Map<number, PresenceEntry>();
    for (const e of [...(everywhere ?? []), ...local]) byDevice.set(e.device, e);
    return encodeFrame({ t: 'presence', channel: this.deps.channel.name, members: [...byDevice.values()] });
  }

  /** A presence change announced by another node. */
  note(change: PresenceChange): void {
    const key = presenceKey(change);
    this.missing.delete(key);
    if (change.status === 'gone') this.remote.delete(key);
    else this.remote.set(key, { user: change.user, device: change.device, status: change.status });
  }

  /**
   * Cluster mode: brings what this node's subscribers were told about other nodes' devices
   * in line with the shared presence store, whose entries expire. A node that died never
   * says 'gone' for its devices; this does, once their entries have expired. It also
   * announces devices whose change was lost on the bus. Skipped while the store cannot
   * be read. A device must be missing twice in a row to be gone: a Redis that restarted
   * empty is refilled by the next heartbeats, without everyone flickering away.
   */
  async reconcile(): Promise<void> {
    if (!this.deps.link || !this.deps.watched()) return;
    const roster = await this.deps.link.roster(this.deps.channel);
    if (!roster) return;
    const local = new Set(this.table.snapshot().map(presenceKey));
    const now = new Map(roster.filter((e) => !local.has(presenceKey(e))).map((e) => [presenceKey(e), e]));
    for (const [key, e] of this.remote) {
      if (now.has(key)) {
        this.missing.delete(key);
      } else if (!this.missing.has(key)) {
        this.missing.add(key);
      } else {
        this.missing.delete(key);
        this.remote.delete(key);
        this.deps.broadcast(this.frame({ user: e.user, device: e.device, status: 'gone' }));
      }
    }
    for (const [key, e] of now) {
      if (this.remote.get(key)?.status === e.status) continue;
      this.remote.set(key, e);
      this.deps.broadcast(this.frame(e));
    }
  }

  private ended(sub: Subscriber, status: PresenceStatus): void {
    this.announce(sub, 'gone');
    this.deps.link?.absent(this.deps.channel, entryOf(sub, status));
  }

  private announce(sub: Subscriber, status: PresenceStatus | 'gone'): void {
    const change = { user: sub.username, device: sub.deviceId, status };
    const frame = this.frame(change);
    this.deps.broadcast(frame);
    this.deps.link?.share(this.deps.channel, { k: 'frame', f: frame, p: change });
  }

  private frame(change: PresenceChange): Uint8Array {
    return encodeFrame({ t: 'presence', channel: this.deps.channel.name, change });
  }
}

function presenceKey(e: { user: string; device: number }): string {
  return `${e.user}/${e.device}`;
}

function entryOf(sub: Subscriber, status: PresenceStatus): PresenceEntry {
  return { user: sub.username, device: sub.deviceId, status };
}
