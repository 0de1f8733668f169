/**
 * The bus port: fan-out of small byte messages between the nodes of one deployment, by
 * topic. Every adapter passes `runBusTests` in testkit.
 *
 * Guarantees, the weakest every transport (in-process, Redis pub/sub) keeps:
 * - At most once: a message reaches each handler whose subscribe() had resolved when it was
 *   published, unless the transport loses it (a broker restart, a dropped connection).
 *   Nothing is stored or redelivered: whatever rides the bus must be healed by something
 *   else (heartbeats, version vectors, catch-up from the store).
 * - Order: messages that one publisher sends to one topic arrive in the order sent; nothing
 *   is promised across topics or across publishers.
 * - Every node sees its own messages: the publisher's node gets them like any other.
 */
export interface Bus {
  /**
   * Sends `bytes` to every subscriber of `topic` on every node. Resolves once the transport
   * has it (not when delivered); rejects promptly when the transport is unreachable.
   */
  publish(topic: string, bytes: Uint8Array): Promise<void>;
  /**
   * Calls `handler` with each later message on `topic` (its own copy of the bytes) until the
   * returned function is called. Resolves when active: what is published after that arrives.
   * The returned unsubscribe is idempotent and stops delivery to this handler at once.
   */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  /**
   * Calls `listener` each time the transport is back after an outage in which messages may
   * have been lost (a reconnect), once subscriptions are active again: the moment to heal
   * from the store. Returns the remover. Transports that never lose messages omit it.
   */
  onRestored?(listener: () => void): () => void;
  /** Ends every subscription and releases connections; later calls reject. Idempotent. */
  close?(): Promise<void>;
}

/** Receives one message. Throwing is reported to the adapter's error hook, never to the publisher. */
export type BusHandler = (bytes: Uint8Array) => void;

/** Topics are names, not patterns: `*` or `?` in one are ordinary characters. */
export const MAX_TOPIC_LENGTH = 512;

/** Thrown (as a rejection) for an empty or over-long topic. */
export class BusTopicError extends RangeError {}

export function checkTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
    throw new BusTopicError(`bus topic must be 1..${MAX_TOPIC_LENGTH} characters`);
  }
}

/** Where a handler's exception goes by default: it must not reach the publisher or stop others. */
export function logHandlerError(error: unknown): void {
  console.error('bus handler failed', error);
}
