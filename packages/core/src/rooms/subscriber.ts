/** What a room needs of a connection to deliver to it. */
export interface Subscriber {
  /** Unique per connection (within a process). */
  readonly connectionId: number;
  readonly userId: number;
  readonly username: string;
  readonly deviceId: number;
  /**
   * Sends one encoded frame. Returns false when the peer is too slow and the frame was
   * dropped: the reader heals through its heartbeat, as after any lost delivery.
   */
  send(frame: Uint8Array): boolean;
  /**
   * The room ended subscription `id` by itself (the user lost the channel) and already told
   * the peer: the connection forgets it, as if unsubscribed.
   */
  onSubscriptionEnded?(id: number): void;
}
