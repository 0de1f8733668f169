import type { ChannelRecord } from './records.ts';

/** Why a membership ended. */
export type MembershipEndReason = 'left' | 'removed' | 'banned' | 'team-removed';

export interface MembershipRemoved {
  channel: ChannelRecord;
  userId: number;
  reason: MembershipEndReason;
}

export type MembershipListener = (event: MembershipRemoved) => void;

/**
 * Tells listeners, after the write is durable and the membership cache is dropped, that a
 * user lost a channel: the node uses it to end that user's live subscriptions at once.
 * A throwing listener is reported through `onListenerError` and never undoes the write.
 */
export class MembershipEvents {
  private readonly listeners = new Set<MembershipListener>();
  private readonly onListenerError: (e: unknown) => void;

  constructor(onListenerError: (e: unknown) => void = () => undefined) {
    this.onListenerError = onListenerError;
  }

  /** Adds a listener (adding the same function twice keeps one); returns its remover. */
  on(listener: MembershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: MembershipRemoved): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }
}
