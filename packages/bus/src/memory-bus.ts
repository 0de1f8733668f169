import { checkTopic, logHandlerError, type Bus, type BusHandler } from './bus.ts';

interface Subscription {
  readonly handler: BusHandler;
  readonly bus: MemoryBus;
}

/**
 * What several in-process "nodes" share: the subscriptions by topic. One hub is one
 * deployment; a single node needs none (MemoryBus makes its own).
 */
export class MemoryBusHub {
  readonly topics = new Map<string, Set<Subscription>>();
}

export interface MemoryBusOptions {
  hub?: MemoryBusHub;
  onHandlerError?: (error: unknown) => void;
}

/**
 * The bus in one process. Delivery is asynchronous (a microtask per publish), like a
 * network: a handler never runs inside publish(), and microtasks keep per-topic order.
 * Messages are never lost here, which is allowed by at-most-once and not promised.
 */
export class MemoryBus implements Bus {
  readonly #hub: MemoryBusHub;
  readonly #onHandlerError: (error: unknown) => void;
  readonly #mine = new Set<{ topic: string; subscription: Subscription }>();
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#hub = options.hub ?? new MemoryBusHub();
    this.#onHandlerError = options.onHandlerError ?? logHandlerError;
  }

  publish(topic: string, bytes: Uint8Array): Promise<void> {
    try {
      this.#checkOpen();
      checkTopic(topic);
    } catch (error) {
      return Promise.reject(error);
    }
    const subscriptions = this.#hub.topics.get(topic);
    if (subscriptions === undefined) return Promise.resolve();
    const message = bytes.slice(); // the publisher may reuse its buffer once this returns
    const recipients = [...subscriptions];
    queueMicrotask(() => {
      for (const subscription of recipients) {
        // Unsubscribed since the publish: at-most-once allows skipping it, and unsubscribe promises it.
        if (!subscriptions.has(subscription)) continue;
        subscription.bus.#deliver(subscription.handler, message.slice());
      }
    });
    return Promise.resolve();
  }

  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    try {
      this.#checkOpen();
      checkTopic(topic);
    } catch (error) {
      return Promise.reject(error);
    }
    const subscription: Subscription = { handler, bus: this };
    const entry = { topic, subscription };
    let subscriptions = this.#hub.topics.get(topic);
    if (subscriptions === undefined) this.#hub.topics.set(topic, (subscriptions = new Set()));
    subscriptions.add(subscription);
    this.#mine.add(entry);
    return Promise.resolve(() => {
      this.#remove(entry);
      return Promise.resolve();
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const entry of [...this.#mine]) this.#remove(entry);
    return Promise.resolve();
  }

  #remove(entry: { topic: string; subscription: Subscription }): void {
    this.#mine.delete(entry);
    const subscriptions = this.#hub.topics.get(entry.topic);
    if (subscriptions === undefined) return;
    subscriptions.delete(entry.subscription);
    if (subscriptions.size === 0) this.#hub.topics.delete(entry.topic);
  }

  #deliver(handler: BusHandler, bytes: Uint8Array): void {
    try {
      handler(bytes);
    } catch (error) {
      this.#onHandlerError(error);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('bus is closed');
  }
}
