import type { KvEntry, PresenceEntry, RemoteRoomEvent, RoomLink } from '@michat/core';
import { channelKey, isGroupLogName, type MichatObject, type Prefix } from '@michat/protocol';
import type { RelayCache } from './relay-cache.ts';
import type { Upstream } from './upstream.ts';

/**
 * How a relay's rooms are linked to the parent (the RoomLink seam of cluster mode): a loaded
 * room follows its channel upstream, and what it stores goes up. A channel's group log is
 * the exception: the origin alone picks each epoch's Commit, so a log object is accepted
 * here only once the origin accepted it (decide), and never queued for upstream. Presence
 * stays local to each level of the tree (see docs/architecture.md, relays).
 */
export class UpstreamLink implements RoomLink {
  private readonly upstream: Upstream;
  private readonly cache: RelayCache;
  /** Channels followed, or about to be (a room loading): never evicted meanwhile. */
  private readonly following = new Map<string, number>();

  constructor(upstream: Upstream, cache: RelayCache) {
    this.upstream = upstream;
    this.cache = cache;
  }

  isFollowing(channel: Prefix): boolean {
    return (this.following.get(channelKey(channel.name)) ?? 0) > 0;
  }

  async follow(channel: Prefix, receive: (event: RemoteRoomEvent) => void | Promise<unknown>): Promise<() => void> {
    const key = channelKey(channel.name);
    this.following.set(key, (this.following.get(key) ?? 0) + 1);
    this.cache.touch(channel);
    // An eviction under way ends first: the room then reads the vector of an empty channel.
    await this.cache.settled(channel);
    const stop = this.upstream.follow(channel, receive);
    return () => {
      stop();
      this.following.set(key, (this.following.get(key) ?? 1) - 1);
    };
  }

  ready(channel: Prefix): Promise<void> {
    return this.upstream.filled(channel);
  }

  decide(_channel: Prefix, obj: MichatObject): Promise<{ dup: boolean }> | undefined {
    return isGroupLogName(obj.name) ? this.upstream.decide(obj.bytes) : undefined;
  }

  entries(channel: Prefix, obj: MichatObject): KvEntry[] {
    // A log object came from upstream (decide): the parent holds it, so it never marks the channel dirty.
    return isGroupLogName(obj.name) ? [] : [this.cache.dirtyEntry(channel)];
  }

  share(_channel: Prefix, event: RemoteRoomEvent): void {
    if (event.k === 'obj' && !isGroupLogName(event.b.subarray(2, 18))) this.upstream.publish(event.b);
  }

  present(): void {}

  absent(): void {}

  async roster(): Promise<PresenceEntry[] | undefined> {
    return undefined;
  }
}
