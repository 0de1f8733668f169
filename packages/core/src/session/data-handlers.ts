import {
  CHANNEL_BITS,
  DEVICE_BITS,
  MAX_VECTOR_RANGES,
  MichatError,
  VersionVector,
  channelKey,
  decodeObject,
  isCanonicalPrefix,
  makePrefix,
  type ClientFrame,
  type ClientFrameOf,
  type Prefix,
  type VectorEntries,
} from '@michat/protocol';
import type { Room } from '../rooms/room.ts';
import type { ConnectionContext } from './connection-context.ts';
import type { Connection } from './connection.ts';

export interface LiveSubscription {
  room: Room;
  prefix: Prefix;
}

type DataFrame = Exclude<ClientFrame, { t: 'hello' } | { t: 'auth' }>;

/** Handles one data frame of an authenticated connection. Throws MichatError to answer `err`. */
export async function handleData(ctx: ConnectionContext, conn: Connection, frame: DataFrame): Promise<void> {
  switch (frame.t) {
    case 'pub':
      return publish(ctx, conn, frame);
    case 'sub':
      return subscribe(ctx, conn, frame);
    case 'unsub':
      return unsubscribe(conn, frame);
    case 'sync':
      return sync(ctx, conn, frame);
    case 'hist':
      return history(ctx, conn, frame);
    case 'hb':
      return heartbeat(ctx, conn, frame);
    case 'typing':
      return (await memberRoom(ctx, conn, frame.channel)).presence.typing(conn);
    case 'leave':
      return (await memberRoom(ctx, conn, frame.channel)).presence.leave(conn);
    case 'ping':
      return conn.reply({ t: 'pong', id: frame.id, serverTime: ctx.clock.now() });
  }
}

async function memberRoom(ctx: ConnectionContext, conn: Connection, name: Uint8Array): Promise<Room> {
  const { prefix } = await ctx.access.requireMember(conn.claims, name);
  return ctx.rooms.get(prefix);
}

/** Starts the write and returns; the ack (or error) follows once it is durable. */
async function publish(ctx: ConnectionContext, conn: Connection, frame: ClientFrameOf<'pub'>): Promise<void> {
  // Across all of the user's connections, on top of each one's frame limit (a relay forwards many users': neither applies).
  if (!conn.claims.relay) ctx.limits.publish(conn.userId);
  const obj = decodeObject(frame.obj);
  const { prefix } = await ctx.access.requirePublish(conn.claims, obj, ctx.clock.now());
  const room = await ctx.rooms.get(prefix);
  room.publish(obj, conn).then(
    ({ dup }) => conn.reply({ t: 'ack', id: frame.id, name: obj.name, dup }),
    (e: unknown) => conn.fail(e, frame.id),
  );
}

function checkedPrefix(name: Uint8Array, bits: number): Prefix {
  if (bits < CHANNEL_BITS || bits > DEVICE_BITS) {
    throw new MichatError('BadRequest', `subscribe to a channel (${CHANNEL_BITS} bits) or part of one, up to a device stream (${DEVICE_BITS} bits)`);
  }
  const prefix = { name, bits };
  if (!isCanonicalPrefix(prefix)) throw new MichatError('BadRequest', 'prefix has bits set past its length');
  return makePrefix(name, bits);
}

/** The prefix a frame names, as sent: errors about it carry it back so the client can tell which subscription. */
function named(frame: { prefix: Uint8Array; bits: number }): Prefix {
  return { name: frame.prefix, bits: frame.bits };
}

async function subscribe(ctx: ConnectionContext, conn: Connection, frame: ClientFrameOf<'sub'>): Promise<void> {
  try {
    const prefix = checkedPrefix(frame.prefix, frame.bits);
    if (conn.subscriptions.has(frame.id)) throw new MichatError('BadRequest', `subscription ${frame.id} exists`);
    if (conn.subscriptions.size >= ctx.config.maxSubscriptions) throw new MichatError('BadRequest', `at most ${ctx.config.maxSubscriptions} subscriptions per connection`);
    const room = await memberRoom(ctx, conn, prefix.name);
    // Live first, then catch-up: nothing published in between can fall through the crack.
    room.subscribe(conn, frame.id, prefix);
    conn.subscriptions.set(frame.id, { room, prefix });
    conn.send(await room.presence.snapshot());
    void catchUp(room, conn, frame.id, prefix, frame.since ?? [], true);
  } catch (e) {
    failAbout(conn, e, frame.id, frame);
  }
}

async function sync(ctx: ConnectionContext, conn: Connection, frame: ClientFrameOf<'sync'>): Promise<void> {
  try {
    const prefix = checkedPrefix(frame.prefix, frame.bits);
    const room = await memberRoom(ctx, conn, prefix.name);
    void catchUp(room, conn, frame.id, prefix, frame.since, false);
  } catch (e) {
    failAbout(conn, e, frame.id, frame);
  }
}

/**
 * Sends what the reader lacks (from its whole vector, ranges included, so nothing it holds
 * above a hole comes again), then subok. A failed catch-up also ends the live half of a sub.
 */
async function catchUp(room: Room, conn: Connection, id: number, prefix: Prefix, since: VectorEntries, live: boolean): Promise<void> {
  try {
    const { missing } = await room.catchUp(prefix, VersionVector.from(since), (objs) => conn.reply({ t: 'objs', id, objs }));
    conn.reply(missing === undefined ? { t: 'subok', id } : { t: 'subok', id, gap: { missing } });
  } catch (e) {
    if (live && conn.subscriptions.get(id)?.room === room) {
      conn.subscriptions.delete(id);
      room.unsubscribe(conn, id);
    }
    conn.fail(e instanceof MichatError ? e : new MichatError('Unavailable', 'catch-up failed; subscribe again', 1_000), id, prefix);
  }
}

function unsubscribe(conn: Connection, frame: ClientFrameOf<'unsub'>): void {
  const s = conn.subscriptions.get(frame.sub);
  if (!s) throw new MichatError('NotFound', `no subscription ${frame.sub}`);
  conn.subscriptions.delete(frame.sub);
  s.room.unsubscribe(conn, frame.sub);
}

async function history(ctx: ConnectionContext, conn: Connection, frame: ClientFrameOf<'hist'>): Promise<void> {
  const room = await memberRoom(ctx, conn, frame.channel);
  const page = await room.history({
    limit: frame.limit,
    ...(frame.thread ? { thread: frame.thread } : {}),
    ...(frame.before !== undefined ? { before: frame.before } : {}),
    ...(frame.after !== undefined ? { after: frame.after } : {}),
  });
  conn.reply({ t: 'page', id: frame.id, objs: page.objs, more: page.more, ...(page.next ? { next: page.next } : {}) });
}

/**
 * Renews presence and answers with the server's whole vector (ranges included) wherever the
 * digests differ. Each watch entry stands alone: one that fails (e.g. Forbidden after the
 * user left the channel) is answered with an `err` naming its prefix, and the rest go on.
 */
async function heartbeat(ctx: ConnectionContext, conn: Connection, frame: ClientFrameOf<'hb'>): Promise<void> {
  for (const w of frame.watch) {
    try {
      const prefix = checkedPrefix(w.prefix, w.bits);
      const room = await memberRoom(ctx, conn, prefix.name);
      if (!conn.claims.relay) room.presence.beat(conn, frame.status); // a relay is never anyone's presence
      const held = room.vectorUnder(prefix);
      if (held.digest() === w.digest) continue;
      if (held.rangeCount() > MAX_VECTOR_RANGES) throw new MichatError('TooLarge', `the vector here has more than ${MAX_VECTOR_RANGES} ranges`);
      conn.reply({ t: 'vec', prefix: prefix.name, bits: prefix.bits, vector: held.entries() });
    } catch (e) {
      failAbout(conn, e, undefined, w);
    }
  }
}

/** Answers a failure about a prefix, naming it; lost access also ends what the connection has in that channel. */
function failAbout(conn: Connection, e: unknown, id: number | undefined, frame: { prefix: Uint8Array; bits: number }): void {
  if (e instanceof MichatError && (e.kind === 'Forbidden' || e.kind === 'NotFound')) leaveChannel(conn, frame.prefix);
  conn.fail(e, id, named(frame));
}

/**
 * Access to a channel is gone: stop live delivery and presence there for this connection.
 * (Access is checked when a subscription starts and on every heartbeat; this is where a
 * removed member's live subscriptions end.)
 */
function leaveChannel(conn: Connection, name: Uint8Array): void {
  const key = channelKey(name);
  for (const [id, s] of conn.subscriptions) {
    if (channelKey(s.room.channel.name) !== key) continue;
    conn.subscriptions.delete(id);
    s.room.drop(conn);
  }
}
