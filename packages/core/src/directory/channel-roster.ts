import { MichatError } from '@michat/protocol';
import { jsonBytes } from '../util/json-bytes.ts';
import type { DirStore } from './dir-store.ts';
import type { MembershipEndReason, MembershipEvents } from './membership-events.ts';
import { dirKeys, type BanRecord, type ChannelMembership, type ChannelRecord, type JoinRequestRecord } from './records.ts';

/**
 * Who is in a channel, who asked to be, and who is banned from it. Every change runs under
 * the directory's write mutex, so its invariants hold when it lands: no member past the
 * channel's capacity, no banned member, a refused request stays refused. Role checks are
 * the caller's (DirectoryActions). Membership is cached per channel because every publish,
 * subscribe and history read checks it; any change drops that channel's cache.
 */
export class ChannelRoster {
  private readonly store: DirStore;
  private readonly events: MembershipEvents;
  private readonly cache = new Map<number, Promise<Map<number, ChannelMembership>>>();
  private readonly changed: (channelId: number) => void;

  /** `changed` hears of every change made here (other nodes drop their caches of that channel). */
  constructor(store: DirStore, events: MembershipEvents, changed: (channelId: number) => void = () => undefined) {
    this.store = store;
    this.events = events;
    this.changed = changed;
  }

  // ---- reads -------------------------------------------------------------------------

  /** The members of a channel by user id (cached; do not modify). */
  members(channelId: number): Promise<ReadonlyMap<number, ChannelMembership>> {
    let members = this.cache.get(channelId);
    if (!members) {
      members = this.store.listById<ChannelMembership>(dirKeys.channelMembers(channelId)).then((rows) => new Map(rows.map((r) => [r.id, r.value])));
      members.catch(() => this.cache.delete(channelId));
      this.cache.set(channelId, members);
    }
    return members;
  }

  async membership(channelId: number, userId: number): Promise<ChannelMembership | undefined> {
    return (await this.members(channelId)).get(userId);
  }

  request(channelId: number, userId: number): Promise<JoinRequestRecord | undefined> {
    return this.store.record<JoinRequestRecord>(dirKeys.joinRequest(channelId, userId));
  }

  async requests(channelId: number): Promise<Array<{ userId: number; request: JoinRequestRecord }>> {
    return (await this.store.listById<JoinRequestRecord>(dirKeys.joinRequests(channelId))).map((r) => ({ userId: r.id, request: r.value }));
  }

  banned(channelId: number, userId: number): Promise<BanRecord | undefined> {
    return this.store.record<BanRecord>(dirKeys.ban(channelId, userId));
  }

  async bans(channelId: number): Promise<Array<{ userId: number; ban: BanRecord }>> {
    return (await this.store.listById<BanRecord>(dirKeys.bans(channelId))).map((r) => ({ userId: r.id, ban: r.value }));
  }

  // ---- changes -----------------------------------------------------------------------

  /**
   * Makes `userId` a member (a no-op returning false when they already are). Refuses a
   * banned user (Forbidden) and a full channel (Conflict). A join request of theirs ends.
   */
  add(channel: ChannelRecord, userId: number, owner = false): Promise<boolean> {
    return this.change(channel.id, async () => {
      if (await this.store.kv.get(dirKeys.channelMember(channel.id, userId))) return false;
      await this.admit(channel, userId, owner);
      return true;
    });
  }

  /** Ends a membership; returns whether there was one. Listeners hear of it once durable. */
  async remove(channel: ChannelRecord, userId: number, reason: MembershipEndReason): Promise<boolean> {
    const existed = await this.change(channel.id, () => this.store.kv.delete(dirKeys.channelMember(channel.id, userId)));
    if (existed) this.events.emit({ channel, userId, reason });
    return existed;
  }

  /**
   * A request to join: a new one waits; asking again while it waits returns it unchanged.
   * A member (Conflict), a banned user or one already refused (Forbidden) cannot ask.
   */
  ask(channel: ChannelRecord, userId: number): Promise<JoinRequestRecord> {
    return this.change(channel.id, async () => {
      if (await this.store.kv.get(dirKeys.channelMember(channel.id, userId))) throw new MichatError('Conflict', 'you are already a member of this channel');
      await this.refuseBanned(channel.id, userId);
      const existing = await this.request(channel.id, userId);
      if (existing?.state === 'refused') throw new MichatError('Forbidden', 'your request to join this channel was refused');
      if (existing) return existing;
      const request: JoinRequestRecord = { state: 'pending', asked: this.store.clock.now() };
      await this.store.kv.put(dirKeys.joinRequest(channel.id, userId), jsonBytes(request));
      return request;
    });
  }

  /**
   * Decides a request: accepting makes a member (subject to bans and capacity) and ends the
   * request; refusing keeps it, refused, so asking again is refused. NotFound without one.
   */
  decide(channel: ChannelRecord, userId: number, accept: boolean, by: number): Promise<void> {
    return this.change(channel.id, async () => {
      const request = await this.request(channel.id, userId);
      if (!request) throw new MichatError('NotFound', 'no request to join from this user');
      if (accept) return this.admit(channel, userId, false);
      if (request.state === 'refused') return;
      const refused: JoinRequestRecord = { ...request, state: 'refused', decidedBy: by };
      await this.store.kv.put(dirKeys.joinRequest(channel.id, userId), jsonBytes(refused));
    });
  }

  /**
   * Bans a user: their membership and request end, and later joins, requests and adds are
   * refused. Access goes first, so an interrupted ban never leaves a banned member.
   */
  async ban(channel: ChannelRecord, userId: number, by: number): Promise<void> {
    const wasMember = await this.change(channel.id, async () => {
      const existed = await this.store.kv.delete(dirKeys.channelMember(channel.id, userId));
      await this.store.kv.delete(dirKeys.joinRequest(channel.id, userId));
      await this.store.kv.put(dirKeys.ban(channel.id, userId), jsonBytes({ by, at: this.store.clock.now() } satisfies BanRecord));
      return existed;
    });
    if (wasMember) this.events.emit({ channel, userId, reason: 'banned' });
  }

  /** Lifts a ban; returns whether there was one. */
  unban(channel: ChannelRecord, userId: number): Promise<boolean> {
    return this.change(channel.id, () => this.store.kv.delete(dirKeys.ban(channel.id, userId)));
  }

  /** Forgets a user's request (they left the team): a later team membership starts afresh. */
  dropRequest(channel: ChannelRecord, userId: number): Promise<boolean> {
    return this.change(channel.id, () => this.store.kv.delete(dirKeys.joinRequest(channel.id, userId)));
  }

  /** Drops the cached members of a channel (its members were written elsewhere). */
  forget(channelId: number): void {
    this.cache.delete(channelId);
  }

  /** Drops every cached channel (another node's changes may have gone unheard). */
  forgetAll(): void {
    this.cache.clear();
  }

  // ---- helpers -----------------------------------------------------------------------

  /** Writes a membership after the ban and capacity checks; callers hold the mutex. */
  private async admit(channel: ChannelRecord, userId: number, owner: boolean): Promise<void> {
    await this.refuseBanned(channel.id, userId);
    // The stored record, not the caller's copy: a capacity change may have landed since.
    const { capacity } = (await this.store.record<ChannelRecord>(dirKeys.channel(channel.id))) ?? channel;
    if (capacity !== undefined) {
      const count = (await this.store.kv.list(dirKeys.channelMembers(channel.id))).length;
      if (count >= capacity) throw new MichatError('Conflict', `this channel is full (capacity ${capacity})`);
    }
    await this.store.kv.put(dirKeys.channelMember(channel.id, userId), jsonBytes({ owner } satisfies ChannelMembership));
    await this.store.kv.delete(dirKeys.joinRequest(channel.id, userId));
  }

  private async refuseBanned(channelId: number, userId: number): Promise<void> {
    if (await this.banned(channelId, userId)) throw new MichatError('Forbidden', 'banned from this channel');
  }

  /** Runs a change under the write mutex; the channel's cached members are dropped after it, even when it fails. */
  private async change<T>(channelId: number, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.store.writes.run(fn);
    } finally {
      this.cache.delete(channelId);
      this.changed(channelId);
    }
  }
}
