import { PRESENCE_TTL_MS, channelKey, type Prefix } from '@michat/protocol';
import type { Bus, PresenceStore } from '@michat/bus';
import type { Logger, Metrics } from '../ports/telemetry.ts';
import type { PresenceEntry, RemoteRoomEvent, RoomLink } from '../rooms/room-link.ts';
import type { PresenceStatus } from '../rooms/presence-table.ts';
import { CONTROL_TOPIC, ControlEvent, RoomEvent, decodeEvent, encodeEvent } from './cluster-messages.ts';

/** A control event as a node sends it (the link adds the node id). */
export type ControlMessage = ControlEvent extends infer E ? (E extends ControlEvent ? Omit<E, 'n'> : never) : never;

export interface ClusterLinkDeps {
  bus: Bus;
  /** Cluster-wide presence; without it each node lists only its own connections. */
  presence?: PresenceStore | undefined;
  logger: Logger;
  metrics: Metrics;
}

export interface ClusterHandlers {
  /** Another node's control event. */
  control(event: ControlEvent): void;
  /** Messages may have been lost (the bus was down, or this node could not publish): heal from the store. */
  heal(): void;
}

/**
 * This node's side of the bus: room events by channel topic, control events on one topic,
 * presence in the shared presence store. Publishing never blocks a caller: a failure is
 * counted, and once the bus takes messages again this node asks every node to heal.
 */
export class ClusterLink implements RoomLink {
  readonly nodeId = crypto.randomUUID();
  private readonly deps: ClusterLinkDeps;
  /** A publish failed: the next one that works is followed by a resync for everybody. */
  private lost = false;
  private readonly stops: Array<() => unknown> = [];

  constructor(deps: ClusterLinkDeps) {
    this.deps = deps;
  }

  /** Listens to the control topic and to bus restorations; resolves once listening. */
  async start(handlers: ClusterHandlers): Promise<void> {
    this.stops.push(
      await this.deps.bus.subscribe(CONTROL_TOPIC, (bytes) => {
        const event = this.decode(ControlEvent, bytes);
        if (event) handlers.control(event);
      }),
    );
    const off = this.deps.bus.onRestored?.(() => {
      this.deps.logger.warn({ node: this.nodeId }, 'bus restored: healing rooms and caches from the store');
      handlers.heal();
    });
    if (off) this.stops.push(off);
  }

  /** Tells every other node (at most once). */
  tell(message: ControlMessage): void {
    this.send(CONTROL_TOPIC, { ...message, n: this.nodeId } as ControlEvent);
  }

  async follow(channel: Prefix, receive: (event: RemoteRoomEvent) => void): Promise<() => void> {
    const stop = await this.deps.bus.subscribe(roomTopic(channel), (bytes) => {
      const event = this.decode(RoomEvent, bytes);
      if (!event) return;
      this.deps.metrics.count('bus_in');
      receive(event.k === 'obj' ? { k: 'obj', b: event.b } : { k: 'frame', f: event.f, ...(event.p ? { p: event.p } : {}) });
    });
    return () => void stop();
  }

  share(channel: Prefix, event: RemoteRoomEvent): void {
    this.send(roomTopic(channel), { ...event, n: this.nodeId });
  }

  present(channel: Prefix, entry: PresenceEntry, previous?: PresenceStatus): void {
    const store = this.deps.presence;
    if (!store) return;
    const key = channelKey(channel.name);
    if (previous !== undefined && previous !== entry.status) this.quietly(store.remove(key, member({ ...entry, status: previous })));
    this.quietly(store.set(key, member(entry), PRESENCE_TTL_MS));
  }

  absent(channel: Prefix, entry: PresenceEntry): void {
    this.quietly(this.deps.presence?.remove(channelKey(channel.name), member(entry)));
  }

  async roster(channel: Prefix): Promise<PresenceEntry[] | undefined> {
    if (!this.deps.presence) return undefined;
    try {
      return (await this.deps.presence.list(channelKey(channel.name))).flatMap(parseMember);
    } catch {
      return undefined;
    }
  }

  /** Stops listening (the bus itself is closed by its owner). */
  async close(): Promise<void> {
    await Promise.allSettled(this.stops.splice(0).map((stop) => stop()));
  }

  private send(topic: string, event: RoomEvent | ControlEvent): void {
    this.deps.bus.publish(topic, encodeEvent(event)).then(
      () => {
        this.deps.metrics.count('bus_out');
        if (!this.lost) return;
        this.lost = false;
        this.tell({ k: 'resync' });
      },
      (error: unknown) => {
        this.deps.metrics.count('bus_errors');
        if (!this.lost) this.deps.logger.warn({ err: error, node: this.nodeId }, 'bus publish failed; other nodes heal when it is back');
        this.lost = true;
      },
    );
  }

  private decode<T extends { n: string }>(schema: Parameters<typeof decodeEvent<T>>[0], bytes: Uint8Array): T | undefined {
    const event = decodeEvent(schema, bytes);
    if (!event) {
      this.deps.metrics.count('bus_errors');
      this.deps.logger.warn({ node: this.nodeId }, 'ignored an unreadable bus message');
      return undefined;
    }
    return event.n === this.nodeId ? undefined : event;
  }

  private quietly(p: Promise<unknown> | undefined): void {
    p?.catch(() => this.deps.metrics.count('bus_errors'));
  }
}

function roomTopic(channel: Prefix): string {
  return `room/${channelKey(channel.name)}`;
}

function member(entry: PresenceEntry): string {
  return JSON.stringify([entry.user, entry.device, entry.status]);
}

function parseMember(text: string): PresenceEntry[] {
  try {
    const [user, device, status] = JSON.parse(text) as unknown[];
    if (typeof user === 'string' && typeof device === 'number' && (status === 'active' || status === 'away')) return [{ user, device, status }];
  } catch {
    // not one of ours
  }
  return [];
}
