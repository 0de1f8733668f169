import {
  DEVICE_BITS,
  MAX_CATCHUP_OBJECTS,
  MAX_VECTOR_RANGES_PER_ENTRY,
  MichatError,
  VersionVector,
  bytesEqual,
  decodeObject,
  encodeFrame,
  matchesPrefix,
  missingFrom,
  nameDevice,
  nameSeq,
  makeName,
  nameFields,
  type MichatObject,
  type MissingRange,
  type Name,
  type Prefix,
} from '@michat/protocol';
import type { KvEntry, KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Metrics } from '../ports/telemetry.ts';
import { objectKey, streamStateKey, threadIndexKey, timeIndexKey } from '../keys.ts';
import { decodeStreamState, encodeStreamState, readVector } from './stream-state.ts';
import type { RemoteRoomEvent, RoomLink } from './room-link.ts';
import { RoomPresence } from './room-presence.ts';
import type { Subscriber } from './subscriber.ts';
import { readHistory, type HistoryRequest, type HistoryPage } from './history.ts';
import { sendStored } from './catch-up.ts';

const EMPTY = new Uint8Array(0);
const STORE_RETRY_MS = 1_000;

export interface RoomDeps {
  kv: KvStore;
  clock: Clock;
  metrics: Metrics;
  /** Whether the channel is archived (read-only): new publishes are refused. */
  isArchived?: (channel: Prefix) => Promise<boolean>;
  /** Cluster mode: the same channel's rooms on other nodes (see RoomLink). */
  link?: RoomLink;
}

/**
 * One channel's actor: its version vector, its subscribers and presence. Storage is the
 * truth; the in-memory vector mirrors it (reloaded if a write fails).
 */
export class Room {
  readonly channel: Prefix;
  private readonly deps: RoomDeps;
  private vector: VersionVector;
  /** Per connection: its subscriptions here, by the request id that made each. */
  private readonly subscribers = new Map<number, { sub: Subscriber; prefixes: Map<number, Prefix> }>();
  readonly presence: RoomPresence;
  private reloading: Promise<void> | undefined;
  /**
   * Cluster mode: per device, the connection whose publishes keep this room's view of the
   * device's stream current. A device that publishes through another connection (it moved
   * from another node, or this node missed bus messages) has its stored stream state read
   * first, so writing it back never drops what another node wrote.
   */
  private readonly current = new Map<number, number>();

  /** Publishes being written now (a room is never unloaded under one). */
  private writing = 0;
  /** When the node last handed this room out (Rooms.get). */
  touchedAt = 0;
  /** Since when Rooms has seen it idle at every sweep (undefined: in use at the last one). */
  idleSince: number | undefined;

  private constructor(channel: Prefix, deps: RoomDeps, vector: VersionVector) {
    this.channel = channel;
    this.deps = deps;
    this.vector = vector;
    this.presence = new RoomPresence({
      channel,
      clock: deps.clock,
      link: deps.link,
      broadcast: (frame, except) => this.broadcast(frame, except),
      watched: () => this.subscribers.size > 0,
    });
  }

  static async load(channel: Prefix, deps: RoomDeps): Promise<Room> {
    return new Room(channel, deps, await readVector(deps.kv, channel.name));
  }

  /** The channel's vector (what this room holds). */
  get held(): VersionVector {
    return this.vector;
  }

  /**
   * Stores `obj` (already checked by publish-rules) and fans it out. Resolves once durable;
   * `dup` when the same bytes were already stored. Throws Conflict when the name holds
   * other bytes, Unavailable (retryable) when storage fails.
   */
  async publish(obj: MichatObject, from?: Subscriber): Promise<{ dup: boolean }> {
    this.writing++;
    try {
      const decided = this.deps.link?.decide?.(this.channel, obj);
      if (decided) return await this.storeDecided(obj, await decided, from);
      return await this.store(obj, from, true);
    } finally {
      this.writing--;
    }
  }

  /**
   * Relay mode: the parent accepted `obj` (its answer is the publisher's). Stored and
   * delivered here as an object from upstream is, never shared back up. A failed local write
   * changes nothing for the publisher: the object is durable upstream and the next exchange
   * fetches it.
   */
  private async storeDecided(obj: MichatObject, answer: { dup: boolean }, from: Subscriber | undefined): Promise<{ dup: boolean }> {
    await this.store(obj, from, false).catch(() => undefined);
    return answer;
  }

  /**
   * Relay mode: an object from upstream, checked there. Stored here (a name held already
   * settles as a dup) and delivered to every matching subscriber; never shared back up.
   */
  async accept(bytes: Uint8Array): Promise<{ dup: boolean }> {
    this.writing++;
    try {
      return await this.store(decodeObject(bytes), undefined, false);
    } finally {
      this.writing--;
    }
  }

  /** Whether nothing uses the room: no subscriber, nobody present, no write under way. */
  get idle(): boolean {
    return this.subscribers.size === 0 && this.presence.table.size === 0 && this.writing === 0;
  }

  private async store(obj: MichatObject, from: Subscriber | undefined, share: boolean): Promise<{ dup: boolean }> {
    const device = nameDevice(obj.name);
    const seq = nameSeq(obj.name);
    // An archived channel takes nothing new; a retry of what it stored before still settles as a dup.
    const archived = this.deps.isArchived;
    if (share && archived && !this.vector.has(device, seq) && (await archived(this.channel))) {
      throw new MichatError('Forbidden', 'this channel is archived: it is read-only');
    }
    if (this.reloading) await this.reloading;
    // Cluster mode: other nodes write this device's stream state too. (A relayed object comes
    // from the relay's one parent: its store has no other writer.)
    if (this.deps.link && share) await this.freshen(device, from);
    let deliveredEarly = false;
    if (this.vector.has(device, seq)) {
      const stored = await this.storedBytes(obj);
      if (stored) return this.settleExisting(obj, stored);
      // The vector claims it but storage lacks it (an earlier write failed): write it now.
    } else {
      this.checkHoles(device, seq);
      this.vector.add(device, seq);
      // Relay mode: a relayed object is durable upstream already, so its readers here need not
      // wait for the local commit (a failed one is fetched again by the next exchange).
      if (!share) {
        this.deliver(obj.bytes, from);
        deliveredEarly = true;
      }
    }
    const started = this.deps.clock.now();
    let existing: Uint8Array | undefined;
    try {
      const entries = this.indexEntries(obj);
      // Relay mode: what the link must know of a local publish is written in the same commit.
      if (share) entries.push(...(this.deps.link?.entries?.(this.channel, obj) ?? []));
      existing = await this.deps.kv.putIfAbsent(objectKey(obj.name), obj.bytes, entries);
    } catch {
      this.reload();
      throw new MichatError('Unavailable', 'storage write failed; retry with the same name', STORE_RETRY_MS);
    }
    if (existing) return this.settleExisting(obj, existing);
    this.deps.metrics.observe('publish_commit_seconds', (this.deps.clock.now() - started) / 1000);
    this.deps.metrics.count('publishes');
    if (!deliveredEarly) this.deliver(obj.bytes, from);
    if (share) this.deps.link?.share(this.channel, { k: 'obj', b: obj.bytes });
    return { dup: false };
  }

  /**
   * An event of this channel from another node: a stored object to deliver, a relayed one
   * to store first (see accept; the promise settles once stored), or a frame to pass on.
   */
  receive(event: RemoteRoomEvent): void | Promise<unknown> {
    if (event.k === 'frame') {
      if (event.p) this.presence.note(event.p);
      return this.broadcast(event.f);
    }
    if (event.relayed) return this.accept(event.b);
    const name = event.b.subarray(2, 18);
    const device = nameDevice(name);
    this.vector.add(device, nameSeq(name));
    this.current.delete(device); // the device publishes elsewhere now
    this.deliver(event.b);
  }

  /**
   * Relay mode: counts as held what the parent holds but serves to nobody (expired objects it
   * still counts), so the digests agree again. Stored with the stream states: a reload keeps it.
   */
  async adopt(ranges: readonly MissingRange[]): Promise<void> {
    const devices = new Set<number>();
    for (const r of ranges) {
      this.vector.addRange(r.device, r.from, r.through);
      devices.add(r.device);
    }
    for (const device of devices) await this.deps.kv.put(streamStateKey(this.channel.name, device), encodeStreamState(this.vector, device));
  }

  /**
   * Adds what storage holds to this room's vector (cluster mode, after messages from other
   * nodes may have been lost). Subscribers whose heartbeat digest then differs get a `vec`
   * and sync what they lack.
   */
  async refresh(): Promise<void> {
    const stored = await readVector(this.deps.kv, this.channel.name);
    this.vector.addAll(stored);
    this.current.clear();
  }

  /** Sends a stored object to every matching subscriber but `except`. */
  deliver(bytes: Uint8Array, except?: Subscriber): void {
    const name = bytes.subarray(2, 18);
    let frame: Uint8Array | undefined;
    let delivered = 0;
    for (const { sub, prefixes } of this.subscribers.values()) {
      if (sub === except || !matchesAny(name, prefixes, this.channel.bits)) continue;
      frame ??= encodeFrame({ t: 'obj', obj: bytes });
      if (sub.send(frame)) delivered++;
      else this.deps.metrics.count('dropped_slow');
    }
    if (delivered) this.deps.metrics.count('deliveries', undefined, delivered);
  }

  /** Adds subscription `id` of a connection (ids are the connection's request ids). */
  subscribe(sub: Subscriber, id: number, prefix: Prefix): void {
    const entry = this.subscribers.get(sub.connectionId) ?? { sub, prefixes: new Map<number, Prefix>() };
    entry.prefixes.set(id, prefix);
    this.subscribers.set(sub.connectionId, entry);
  }

  /** Removes subscription `id` only; the connection's other subscriptions here stay. */
  unsubscribe(sub: Subscriber, id: number): void {
    const entry = this.subscribers.get(sub.connectionId);
    if (!entry) return;
    entry.prefixes.delete(id);
    if (entry.prefixes.size === 0) this.subscribers.delete(sub.connectionId);
  }

  /** Forgets a connection entirely (closed, or its access was removed). */
  drop(sub: Subscriber): void {
    this.subscribers.delete(sub.connectionId);
    this.presence.leave(sub);
  }

  /** The connections of `userId` here, subscribed or only present (heartbeats), with their subscriptions. */
  connectionsOf(userId: number): Array<{ sub: Subscriber; prefixes: ReadonlyMap<number, Prefix> }> {
    const present = this.presence.table.subscribers().filter((s) => s.userId === userId && !this.subscribers.has(s.connectionId));
    return [...[...this.subscribers.values()].filter((e) => e.sub.userId === userId), ...present.map((sub) => ({ sub, prefixes: new Map<number, Prefix>() }))];
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** The part of this room's vector under `prefix` (72 to 96 bits: the channel, or some devices). */
  vectorUnder(prefix: Prefix): VersionVector {
    if (prefix.bits <= this.channel.bits) return this.vector;
    const f = nameFields(prefix.name);
    const devicePart = { name: prefix.name, bits: Math.min(prefix.bits, DEVICE_BITS) };
    return this.vector.select((device) => matchesPrefix(makeName({ ...f, device, seq: 0 }), devicePart));
  }

  /**
   * Sends, in batches, every stored object under `prefix` that a reader holding `since`
   * lacks: exactly the intervals it lacks, so what it holds above a hole is never sent
   * again. Returns `{ missing }` without sending anything when that is over the bound.
   */
  async catchUp(prefix: Prefix, since: VersionVector, send: (objs: Uint8Array[]) => void, maxObjects = MAX_CATCHUP_OBJECTS): Promise<{ missing?: number }> {
    await this.deps.link?.ready?.(this.channel);
    const held = this.vectorUnder(prefix);
    const { ranges, count } = missingFrom(held, since);
    if (count > maxObjects) return { missing: count };
    await sendStored(this.deps.kv, this.channel.name, ranges, prefix, this.deps.clock.now(), send);
    return {};
  }

  async history(req: HistoryRequest): Promise<HistoryPage> {
    await this.deps.link?.ready?.(this.channel);
    return readHistory(this.deps.kv, this.channel.name, req, this.deps.clock.now());
  }

  private broadcast(frame: Uint8Array, except?: Subscriber): void {
    for (const { sub } of this.subscribers.values()) if (sub !== except) sub.send(frame);
  }

  private indexEntries(obj: MichatObject): KvEntry[] {
    const device = nameDevice(obj.name);
    const position = { created: obj.created, device, seq: nameSeq(obj.name) };
    const entries: KvEntry[] = [
      [timeIndexKey(this.channel.name, position), EMPTY],
      [streamStateKey(this.channel.name, device), encodeStreamState(this.vector, device)],
    ];
    if (obj.threadRoot) entries.push([threadIndexKey(this.channel.name, obj.threadRoot, position), EMPTY]);
    return entries;
  }

  /** The name is known here: same bytes → acknowledged again; other bytes → Conflict. */
  /** The bytes stored under the object's name, if any. */
  private async storedBytes(obj: MichatObject): Promise<Uint8Array | undefined> {
    try {
      return await this.deps.kv.get(objectKey(obj.name));
    } catch {
      throw new MichatError('Unavailable', 'storage read failed; retry with the same name', STORE_RETRY_MS);
    }
  }

  private async settleExisting(obj: MichatObject, stored: Uint8Array): Promise<{ dup: boolean }> {
    if (!bytesEqual(stored, obj.bytes)) throw new MichatError('Conflict', 'this name already holds different bytes; objects are immutable');
    // Re-put the indexes: a retry after a crash between object and index heals them (idempotent).
    this.vector.add(nameDevice(obj.name), nameSeq(obj.name));
    try {
      await Promise.all(this.indexEntries(decodeObject(stored)).map(([k, v]) => this.deps.kv.put(k, v)));
    } catch {
      throw new MichatError('Unavailable', 'storage write failed; retry with the same name', STORE_RETRY_MS);
    }
    return { dup: true };
  }

  /**
   * Every seq a device skips for good (taken but never stored) is one more interval in the
   * room's vector, its stored state and every `vec`: refuse the publish that would make more
   * holes than a vector entry may carry. Continuing right after the highest seq is always fine.
   */
  private checkHoles(device: number, seq: number): void {
    if (seq === 1 || this.vector.has(device, seq - 1) || this.vector.has(device, seq + 1)) return; // no new interval
    if (this.vector.rangeCount(device) < MAX_VECTOR_RANGES_PER_ENTRY) return;
    throw new MichatError(
      'BadRequest',
      `this device's stream in the channel already has ${MAX_VECTOR_RANGES_PER_ENTRY} holes; publish seq ${this.vector.max(device) + 1} (after the highest) instead`,
    );
  }

  /** Reads the device's stored stream state into the vector unless `from` keeps it current already. */
  private async freshen(device: number, from: Subscriber | undefined): Promise<void> {
    if (from && this.current.get(device) === from.connectionId) return;
    let raw: Uint8Array | undefined;
    try {
      raw = await this.deps.kv.get(streamStateKey(this.channel.name, device));
    } catch {
      throw new MichatError('Unavailable', 'storage read failed; retry with the same name', STORE_RETRY_MS);
    }
    for (const [first, last] of raw ? decodeStreamState(raw) : []) this.vector.addRange(device, first, last);
    if (from) this.current.set(device, from.connectionId);
  }

  private reload(): void {
    this.reloading ??= readVector(this.deps.kv, this.channel.name)
      .then((v) => {
        this.vector = v;
      })
      .catch(() => undefined)
      .finally(() => {
        this.reloading = undefined;
      });
  }
}

function matchesAny(name: Name, prefixes: Map<number, Prefix>, channelBits: number): boolean {
  for (const p of prefixes.values()) if (p.bits <= channelBits || matchesPrefix(name, p)) return true;
  return false;
}
