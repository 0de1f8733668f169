import type { PresenceEntry, RemoteRoomEvent, RoomLink } from '@michat/core';
import type { Prefix } from '@michat/protocol';
import type { Upstream } from './upstream.ts';

/**
 * How a relay's rooms are linked to the parent (the RoomLink seam of cluster mode): a loaded
 * room follows its channel upstream, and what it stores goes up. Presence stays local to
 * each level of the tree (see docs/architecture.md, relays).
 */
export class UpstreamLink implements RoomLink {
  private readonly upstream: Upstream;

  constructor(upstream: Upstream) {
    this.upstream = upstream;
  }

  async follow(channel: Prefix, receive: (event: RemoteRoomEvent) => void | Promise<unknown>): Promise<() => void> {
    return this.upstream.follow(channel, receive);
  }

  share(_channel: Prefix, event: RemoteRoomEvent): void {
    if (event.k === 'obj') this.upstream.publish(event.b);
  }

  present(): void {}

  absent(): void {}

  async roster(): Promise<PresenceEntry[] | undefined> {
    return undefined;
  }
}
