import {
  CHANNEL_BITS,
  MAX_WATCHED_CHANNELS,
  VersionVector,
  channelKey,
  encodeFrame,
  isGroupLogName,
  toHex,
  type ClientFrame,
  type MissingRange,
  type Prefix,
  type ServerFrame,
} from '@michat/protocol';
import { sendStored, type Clock, type KvStore, type Logger, type RemoteRoomEvent } from '@michat/core';
import { planExchange } from './vector-exchange.ts';
import { UpstreamSocket } from './upstream-socket.ts';
import type { RefusedObjects } from './refused-objects.ts';
import { UpstreamAnswers, originUnreachable } from './upstream-answers.ts';

export interface UpstreamDeps {
  /** The parent's base HTTP URL (its WebSocket is `/ws` under it). */
  url: string;
  identity: { token(): Promise<string>; renew(): Promise<void> };
  kv: KvStore;
  clock: Clock;
  logger: Logger;
  refused: RefusedObjects;
  /** What the relay holds of a followed channel now (its room's vector, else the stored one). */
  vectorOf(channel: Prefix): Promise<VersionVector>;
  /** Heartbeat period bounds (default: a random 3.5–7 s, like clients). */
  heartbeat?: { minMs: number; maxMs: number };
  /** The link opened (true) or went down (false). */
  onOnline?(online: boolean): void;
  /** Whether the relay may hold something the parent lacks in the channel (its beats then always ask for the parent's vector). */
  isDirty(channel: Prefix): boolean;
  /** An exchange found the parent lacking nothing the relay held at `digest`. */
  onClean(channel: Prefix, digest: string): void;
  /** Counts as held what the parent counts but serves to nobody (expired objects). */
  adopt(channel: Prefix, ranges: MissingRange[]): Promise<void>;
}

const rangesKey = (ranges: readonly MissingRange[]): string => ranges.map((r) => `${r.device}:${r.from}-${r.through}`).join(',');

/** A digest no vector has: the parent answers it with its vector. */
const ASK_FOR_VECTOR = '0000000000000000';

interface Followed {
  prefix: Prefix;
  receive(event: RemoteRoomEvent): void | Promise<unknown>;
  /** The live subscription's request id on the current socket. */
  subId?: number | undefined;
  /** The subscription has caught up (subok): heartbeats carry its digest. */
  live?: boolean;
  /** A sync of the exchange is under way (its request id), and what it asks for (ranges, as a key). */
  syncId?: number | undefined;
  syncAsked?: string | undefined;
  /** What the last completed sync asked for: asked again unchanged, the parent does not serve it. */
  syncUnserved?: string | undefined;
  /** Whether an exchange has shown the relay lacks nothing the parent held (else beats ask for the parent's vector). */
  filled: boolean;
  fill: Promise<void>;
  markFilled(): void;
}

/** Catch-up and history of a channel new to the relay wait this long at most for it to be filled. */
const FILL_WAIT_MS = 5_000;

/**
 * The relay's one connection to its parent, speaking the client protocol: one subscription
 * per followed channel (with the relay's vector as `since`, so a reconnect costs what was
 * missed), publishes of what the relay stored, and heartbeats whose digests are the relay's
 * own vectors. Where the digests differ the parent answers with its vector, and the two
 * send each other exactly what the other lacks (the vector exchange). The relay's store is
 * the durable outbound queue: what the parent lacks is found by the exchange, after any
 * outage or restart.
 */
export class Upstream {
  private readonly deps: UpstreamDeps;
  private readonly channels = new Map<string, Followed>();
  private readonly requests = new Map<number, Followed>();
  /** Publishes on the current socket: request id → hex name. */
  private readonly pubs = new Map<number, string>();
  private readonly inflight = new Set<string>();
  /** Publishes whose publisher waits for the parent's own answer (decide). */
  private readonly answers: UpstreamAnswers;
  private readonly socket: UpstreamSocket;

  constructor(deps: UpstreamDeps) {
    this.deps = deps;
    this.answers = new UpstreamAnswers(deps.clock);
    this.socket = new UpstreamSocket({
      url: deps.url,
      identity: deps.identity,
      clock: deps.clock,
      logger: deps.logger,
      heartbeat: deps.heartbeat,
      onOpen: () => this.opened(),
      onDown: () => this.down(),
      onFrame: (frame) => this.dispatch(frame),
      onBeat: () => this.beat([...this.channels.values()]),
    });
  }

  get online(): boolean {
    return this.socket.isOpen;
  }

  start(): void {
    this.socket.start();
  }

  close(): Promise<void> {
    this.answers.abandon();
    return this.socket.close();
  }

  /** Follows a channel upstream until the returned function is called. */
  follow(prefix: Prefix, receive: Followed['receive']): () => void {
    const key = channelKey(prefix.name);
    let markFilled!: () => void;
    const fill = new Promise<void>((resolve) => (markFilled = resolve));
    const followed: Followed = { prefix, receive, filled: false, fill, markFilled };
    this.channels.set(key, followed);
    if (this.socket.isOpen) void this.subscribe(followed);
    return () => {
      if (this.channels.get(key) !== followed) return;
      this.channels.delete(key);
      if (followed.subId !== undefined) this.send({ t: 'unsub', id: this.nextId(), sub: followed.subId });
    };
  }

  /**
   * Resolves once the relay holds what the parent held of the channel when it was followed,
   * at once while the link is down, and after `waitMs` at most (the cache is served as is).
   */
  async filled(channel: Prefix, waitMs = FILL_WAIT_MS): Promise<void> {
    const f = this.channels.get(channelKey(channel.name));
    if (!f || f.filled || !this.socket.isOpen) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([f.fill, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  /** Sends a stored object to the parent now if the link is open (the exchange sends it otherwise). */
  publish(bytes: Uint8Array): void {
    const name = bytes.subarray(2, 18);
    // A group-log object is the origin's to accept (decide): one the parent lacks is never offered.
    if (isGroupLogName(name)) return this.deps.logger.warn({ name: toHex(name) }, 'a group-log object the parent lacks is never published from the cache');
    const hex = toHex(name);
    if (this.inflight.has(hex) || this.deps.refused.has(hex) || !this.socket.isOpen) return;
    const id = this.nextId();
    if (!this.send({ t: 'pub', id, obj: bytes })) return;
    this.inflight.add(hex);
    this.pubs.set(id, hex);
  }

  /**
   * Publishes an object only the origin may accept (a channel's group log: one Commit per
   * epoch) and resolves with the parent's answer: its ack, its refusal, or Unavailable when
   * the link is down or the parent does not answer within 10 s. Nothing is stored or queued.
   */
  decide(bytes: Uint8Array): Promise<{ dup: boolean }> {
    if (!this.socket.isOpen) return Promise.reject(originUnreachable('the link to the parent is down'));
    const id = this.nextId();
    return this.answers.wait(id, () => this.send({ t: 'pub', id, obj: bytes }));
  }


  private opened(): void {
    this.deps.logger.info({ upstream: this.deps.url }, 'upstream connected');
    this.deps.onOnline?.(true);
    for (const f of this.channels.values()) void this.subscribe(f);
  }

  private down(): void {
    this.deps.logger.warn({ upstream: this.deps.url }, 'upstream lost; serving from the cache');
    this.requests.clear();
    this.pubs.clear();
    this.inflight.clear();
    this.answers.abandon();
    for (const f of this.channels.values()) {
      f.subId = undefined;
      f.syncId = undefined;
      f.live = false;
    }
    this.deps.onOnline?.(false);
  }

  /** Subscribes with what the relay holds: the parent sends exactly what it lacks, then live. */
  private async subscribe(f: Followed): Promise<void> {
    const since = await this.deps.vectorOf(f.prefix);
    if (!this.socket.isOpen || this.channels.get(channelKey(f.prefix.name)) !== f) return;
    const id = this.nextId();
    f.subId = id;
    this.requests.set(id, f);
    this.send({ t: 'sub', id, prefix: f.prefix.name, bits: CHANNEL_BITS, since: since.boundedEntries() });
  }

  private dispatch(frame: ServerFrame): void {
    switch (frame.t) {
      case 'obj':
        return this.store(this.channels.get(channelKey(frame.obj.subarray(2, 18))), frame.obj);
      case 'objs': {
        const f = this.requests.get(frame.id);
        for (const bytes of frame.objs) this.store(f, bytes);
        return;
      }
      case 'subok':
        return this.caughtUp(frame.id);
      case 'vec':
        return void this.exchange(this.channels.get(channelKey(frame.prefix)), VersionVector.from(frame.vector));
      case 'ack':
        if (this.answers.answer(frame)) return;
        return this.settled(frame.id);
      case 'err':
        return this.failed(frame);
      case 'typing':
        return this.pass(frame.channel, frame);
      case 'presence':
        // Changes only: a snapshot from upstream would replace what local clients see.
        if (frame.change) this.pass(frame.channel, { t: 'presence', channel: frame.channel, change: frame.change });
        return;
      default:
        return;
    }
  }

  private store(f: Followed | undefined, bytes: Uint8Array): void {
    if (!f) return;
    const stored = f.receive({ k: 'obj', b: bytes, relayed: true });
    // A failed write leaves the room's vector without it: the next exchange fetches it again.
    if (stored) stored.catch((e: unknown) => this.deps.logger.warn({ err: (e as Error).message }, 'could not cache an object from upstream'));
  }

  /** Typing and presence changes upstream reach the relay's subscribers of the channel. */
  private pass(channel: Uint8Array, frame: ServerFrame): void {
    void this.channels.get(channelKey(channel))?.receive({ k: 'frame', f: encodeFrame(frame) });
  }

  /** A sub or sync finished its catch-up: beat for the channel at once, so the exchange starts now. */
  private caughtUp(id: number): void {
    const f = this.requests.get(id);
    if (!f) return;
    if (f.syncId === id) {
      f.syncId = undefined;
      f.syncUnserved = f.syncAsked;
      this.requests.delete(id);
    }
    if (f.subId === id) f.live = true;
    void this.beat([f]);
  }

  /** One round of the exchange: fetch the next chunk the relay lacks, push the next chunk the parent lacks. */
  private async exchange(f: Followed | undefined, theirs: VersionVector): Promise<void> {
    if (!f || !this.socket.isOpen) return;
    let ours = await this.deps.vectorOf(f.prefix);
    let plan = planExchange(ours, theirs);
    if (plan.fetching && f.syncId === undefined && rangesKey(plan.fetch) === f.syncUnserved) {
      // Asked for and not served: the parent counts these but serves them to nobody (expired).
      await this.deps.adopt(f.prefix, plan.fetch);
      f.syncUnserved = undefined;
      ours = await this.deps.vectorOf(f.prefix);
      plan = planExchange(ours, theirs);
    }
    if (!plan.pushing) this.deps.onClean(f.prefix, ours.digest());
    if (!plan.fetching && !f.filled) {
      f.filled = true;
      f.markFilled();
    }
    if (plan.syncSince && f.syncId === undefined) {
      const id = this.nextId();
      f.syncId = id;
      f.syncAsked = rangesKey(plan.fetch);
      this.requests.set(id, f);
      this.send({ t: 'sync', id, prefix: f.prefix.name, bits: CHANNEL_BITS, since: plan.syncSince.boundedEntries() });
    }
    if (plan.pushing) {
      this.deps.logger.debug({ channel: channelKey(f.prefix.name), objects: plan.pushing }, 'sending what upstream lacks');
      await sendStored(this.deps.kv, f.prefix.name, plan.push, f.prefix, this.deps.clock.now(), (objs) => {
        for (const bytes of objs) this.publish(bytes);
      });
    }
  }

  private settled(id: number): void {
    const hex = this.pubs.get(id);
    if (hex === undefined) return;
    this.pubs.delete(id);
    this.inflight.delete(hex);
  }

  private failed(frame: Extract<ServerFrame, { t: 'err' }>): void {
    const id = frame.id;
    if (this.answers.answer(frame)) {
      if (frame.kind === 'Unauthorized') this.reauthenticate();
      return;
    }
    const hex = id === undefined ? undefined : this.pubs.get(id);
    if (id !== undefined && hex !== undefined) {
      this.settled(id);
      // Retryable kinds are left to the next exchange; the others would fail forever.
      if (frame.kind === 'Unavailable' || frame.kind === 'RateLimited' || frame.kind === 'Unauthorized') return;
      this.deps.logger.warn({ name: hex, kind: frame.kind, err: frame.msg }, 'upstream refused an object; it stays in the cache only');
      void this.deps.refused.add(hex, `${frame.kind}: ${frame.msg}`);
      return;
    }
    const f = id === undefined ? undefined : this.requests.get(id);
    if (f) {
      this.requests.delete(id!);
      if (f.subId === id) {
        f.subId = undefined;
        f.live = false;
      }
      if (f.syncId === id) f.syncId = undefined;
    }
    if (frame.kind === 'Unauthorized') return this.reauthenticate();
    this.deps.logger.warn({ kind: frame.kind, err: frame.msg }, 'upstream error');
  }

  /** The access token ran out on the open socket: renew it, and say so with `auth`. */
  private reauthenticate(): void {
    void this.deps.identity
      .renew()
      .then(() => this.deps.identity.token())
      .then((token) => this.send({ t: 'auth', token }))
      .catch(() => this.socket.abandon('upstream session could not be renewed'));
  }

  /** Sends a fresh access token on the open socket. */
  sendToken(token: string): void {
    this.send({ t: 'auth', token });
  }


  /** A heartbeat carrying the relay's digests: the parent answers `vec` where it holds something else. */
  private async beat(channels: Followed[]): Promise<void> {
    const live = channels.filter((f) => f.live);
    const digest = async (f: Followed) => (!f.filled || this.deps.isDirty(f.prefix) ? ASK_FOR_VECTOR : (await this.deps.vectorOf(f.prefix)).digest());
    const watch = await Promise.all(live.map(async (f) => ({ prefix: f.prefix.name, bits: CHANNEL_BITS, digest: await digest(f) })));
    for (let i = 0; i === 0 || i < watch.length; i += MAX_WATCHED_CHANNELS) {
      this.send({ t: 'hb', status: 'active', watch: watch.slice(i, i + MAX_WATCHED_CHANNELS) });
    }
  }

  private send(frame: ClientFrame): boolean {
    return this.socket.send(frame);
  }

  private nextId(): number {
    return this.socket.nextId();
  }
}
