import type { Redis } from 'ioredis';
import { checkTopic, logHandlerError, type Bus, type BusHandler } from '@michat/bus';
import { closeRedis, openRedis, type RedisConnectionOptions } from './redis-connection.ts';

export interface RedisBusOptions extends RedisConnectionOptions {
  /**
   * Put before every topic to make the Redis channel name: one prefix per deployment (and
   * per test), so deployments sharing a Redis server never hear each other.
   */
  prefix: string;
  onHandlerError?: (error: unknown) => void;
}

/** Channels per SUBSCRIBE command when subscriptions are restored after a reconnect. */
const RESUBSCRIBE_CHUNK = 1_000;

/** A topic's local handlers and the SUBSCRIBE that made it active. */
interface TopicState {
  readonly handlers: Set<BusHandler>;
  readonly active: Promise<void>;
}

/**
 * The bus on Redis pub/sub: one connection publishes, one listens. A topic is subscribed
 * in Redis once per node, however many local handlers it has, and unsubscribed when the
 * last one leaves.
 *
 * After a lost connection (a Redis restart) the listener reconnects by itself and
 * subscribes again to every topic that has handlers; messages published meanwhile are lost
 * (at-most-once), and `onRestored` listeners hear of it once subscriptions are back. While
 * Redis is unreachable, publish and the first subscribe of a topic reject at once.
 */
export class RedisBus implements Bus {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #onHandlerError: (error: unknown) => void;
  /** By Redis channel name (prefix + topic). */
  readonly #topics = new Map<string, TopicState>();
  readonly #restoredListeners = new Set<() => void>();
  /** Whether the listener connection was ready once: every later 'ready' is a reconnect. */
  #wasReady = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Connects both connections; rejects if Redis is unreachable. */
  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const publisher = await openRedis(options, 'michat-bus-publish');
    try {
      const subscriber = await openRedis(options, 'michat-bus-subscribe');
      return new RedisBus(publisher, subscriber, options);
    } catch (error) {
      publisher.disconnect();
      throw error;
    }
  }

  private constructor(publisher: Redis, subscriber: Redis, options: RedisBusOptions) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#prefix = options.prefix;
    this.#onHandlerError = options.onHandlerError ?? logHandlerError;
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#dispatch(channel.toString('utf8'), message));
    // A reconnected connection starts with no subscriptions. The first 'ready' came before
    // this constructor (connect() waited for it); every one after it is a reconnect.
    this.#wasReady = subscriber.status === 'ready';
    subscriber.on('ready', () => {
      const reconnect = this.#wasReady;
      this.#wasReady = true;
      void this.#resubscribe().then((ok) => {
        if (ok && reconnect) this.#restored();
      });
    });
  }

  onRestored(listener: () => void): () => void {
    this.#restoredListeners.add(listener);
    return () => this.#restoredListeners.delete(listener);
  }

  publish(topic: string, bytes: Uint8Array): Promise<void> {
    try {
      this.#checkOpen();
      checkTopic(topic);
    } catch (error) {
      return Promise.reject(error);
    }
    // Buffer.from copies: the caller may reuse its buffer as soon as this returns.
    return this.#publisher.publish(this.#prefix + topic, Buffer.from(bytes)).then(() => undefined);
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    this.#checkOpen();
    checkTopic(topic);
    const channel = this.#prefix + topic;
    let state = this.#topics.get(channel);
    if (state === undefined) {
      state = { handlers: new Set(), active: this.#subscriber.subscribe(channel).then(() => undefined) };
      this.#topics.set(channel, state);
    }
    // One entry per subscribe call, even for the same function twice.
    const entry: BusHandler = (bytes) => handler(bytes);
    state.handlers.add(entry);
    try {
      await state.active;
    } catch (error) {
      state.handlers.delete(entry);
      if (this.#topics.get(channel) === state) this.#topics.delete(channel);
      throw error;
    }
    return () => this.#unsubscribe(channel, state, entry);
  }

  /** Unsubscribes everything and closes both connections. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#topics.clear();
      await Promise.all([closeRedis(this.#publisher), closeRedis(this.#subscriber)]);
    })();
    return this.#closing;
  }

  async #unsubscribe(channel: string, state: TopicState, entry: BusHandler): Promise<void> {
    if (!state.handlers.delete(entry) || state.handlers.size > 0) return;
    if (this.#topics.get(channel) !== state) return;
    this.#topics.delete(channel);
    try {
      await this.#subscriber.unsubscribe(channel);
    } catch {
      // Redis is unreachable: the connection that held the subscription is gone with it,
      // and the reconnect restores only topics that still have handlers.
    }
  }

  #dispatch(channel: string, message: Buffer): void {
    const state = this.#topics.get(channel);
    if (state === undefined) return; // unsubscribed while the message was on its way
    for (const handler of [...state.handlers]) {
      if (!state.handlers.has(handler)) continue; // removed by an earlier handler of this message
      try {
        handler(new Uint8Array(message)); // a private copy per handler
      } catch (error) {
        this.#onHandlerError(error);
      }
    }
  }

  /** Subscribes again to every topic with handlers; false if the connection dropped again (the next 'ready' retries). */
  async #resubscribe(): Promise<boolean> {
    const channels = [...this.#topics.keys()];
    const chunks: Array<Promise<unknown>> = [];
    for (let start = 0; start < channels.length; start += RESUBSCRIBE_CHUNK) {
      chunks.push(this.#subscriber.subscribe(...channels.slice(start, start + RESUBSCRIBE_CHUNK)));
    }
    const results = await Promise.allSettled(chunks);
    return !this.#closed && results.every((r) => r.status === 'fulfilled');
  }

  #restored(): void {
    for (const listener of [...this.#restoredListeners]) {
      try {
        listener();
      } catch (error) {
        this.#onHandlerError(error);
      }
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('bus is closed');
  }
}
