import type { MichatError, MichatObject } from '@michat/protocol';
import type { DeliveryState } from '../timeline/message-view.ts';

export interface PublishResult {
  /** The object as stored (renumbered or re-stamped objects differ from the first version). */
  object: MichatObject;
  /** The server already held these bytes (an earlier send got through; its ack was lost). */
  dup: boolean;
}

/** A message in the outbox: named and stored locally, on its way to the server. */
export interface QueuedMessage {
  /** Stable identity of the message here (a UI key), kept if it is renumbered. */
  localId: string;
  /** Channel key. */
  channel: string;
  /** The object as queued. */
  object: MichatObject;
  /** Resolves once the server stores it; rejects when refused for good or the client closes first (it stays queued). */
  delivered: Promise<PublishResult>;
}

/** Each change of a queued message's state, for the UI. */
export interface DeliveryEvent {
  localId: string;
  channel: string;
  /** The object in its current version (a renumbered or re-stamped one has a new name or time). */
  object: MichatObject;
  /** `discarded`: removed from the outbox unsent (the app gave up on it). */
  state: DeliveryState | 'discarded';
  /** Why it failed (`failed`). */
  error?: MichatError;
  /** `sent`: the server already had it. */
  dup?: boolean;
}
