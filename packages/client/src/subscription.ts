import {
  VersionVector,
  channelKey,
  matchesPrefix,
  missingFrom,
  nameDevice,
  nameSeq,
  type MichatError,
  type MichatObject,
  type Prefix,
  type VectorEntries,
} from '@michat/protocol';

/**
 * Most ranges a `since` carries: about 90 KiB of MessagePack at worst, inside the server's
 * frame limit. A vector with more leaves out its smallest ranges (which only costs duplicates).
 */
const MAX_SINCE_RANGES = 8_192;

export type ObjectHandler = (obj: MichatObject) => void;

export interface SubscribeOptions {
  /** Where the app got to before (a vector saved from `subscription.entries()`): only newer objects come. */
  since?: VectorEntries;
  /**
   * More objects were missing than the server sends in a catch-up; none of them came.
   * Page `history()` to show them. The subscription then continues from what the server holds.
   */
  onGap?: (missing: number) => void;
  /** The server refused the subscription for good (e.g. Forbidden); it is over. */
  onError?: (error: MichatError) => void;
}

/** The app's handle: call it (or `unsubscribe()`) to stop. */
export interface Subscription {
  (): void;
  unsubscribe(): void;
  /** Channel key (18 hex digits). */
  readonly channel: string;
  /** What this subscription holds, per sending device (intervals of seqs): save it and pass it as `since` later. */
  entries(): VectorEntries;
  /** Digest of what it holds (equal digests: almost surely equal sets). */
  digest(): string;
  /** Resolves once the first catch-up is complete (live delivery runs from then on). */
  readonly ready: Promise<void>;
}

/**
 * One subscription's state: the vector of names it holds (so every object reaches the
 * handler once, however often it arrives), and its request ids on the current socket.
 */
export class SubscriptionState {
  readonly prefix: Prefix;
  readonly key: string;
  vector: VersionVector;
  /** Id of the `sub` on the current socket; undefined while there is none. */
  requestId: number | undefined;
  /** The catch-up of the current `sub` is complete. */
  live = false;
  /** Id of a heartbeat-triggered `sync` in flight. */
  syncId: number | undefined;
  /** A gap was reported: the next server vector is adopted instead of fetched. */
  gapPending = false;
  /** What the sync in flight asks for (missing ranges, as a key). */
  syncAsked: string | undefined;
  /** What the last completed sync asked for: if the server claims it again, it does not serve it. */
  syncUnserved: string | undefined;
  closed = false;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly ready: Promise<void>;
  private readonly handler: ObjectHandler;
  private readonly options: SubscribeOptions;
  private readonly onHandlerError: (e: unknown) => void;
  private settleReady!: (error?: Error) => void;

  constructor(prefix: Prefix, handler: ObjectHandler, options: SubscribeOptions, onHandlerError: (e: unknown) => void) {
    this.prefix = prefix;
    this.key = channelKey(prefix.name);
    this.vector = VersionVector.from(options.since ?? []);
    this.handler = handler;
    this.options = options;
    this.onHandlerError = onHandlerError;
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error ? reject(error) : resolve());
    });
    // The app may never await `ready`; a refusal is also reported through onError/events.
    this.ready.catch(() => undefined);
  }

  /** Hands the object to the app unless it is outside the prefix or already held. */
  accept(obj: MichatObject): void {
    if (this.closed || !matchesPrefix(obj.name, this.prefix)) return;
    if (!this.vector.add(nameDevice(obj.name), nameSeq(obj.name))) return;
    try {
      this.handler(obj);
    } catch (e) {
      this.onHandlerError(e);
    }
  }

  caughtUp(): void {
    this.live = true;
    this.settleReady();
  }

  gap(missing: number): void {
    this.gapPending = true;
    try {
      this.options.onGap?.(missing);
    } catch (e) {
      this.onHandlerError(e);
    }
  }

  /**
   * What the server's vector holds that this one lacks, as a key ('' when nothing). Interval
   * by interval: a hole in a device's stream that the server has too is no lack.
   */
  lacking(server: VectorEntries): string {
    return missingFrom(VersionVector.from(server), this.vector)
      .ranges.map((r) => `${r.device}:${r.from}-${r.through}`)
      .join(',');
  }

  /** `since` for a sub or sync: the whole vector, ranges included, within the frame bounds. */
  since(): VectorEntries {
    return this.vector.boundedEntries(MAX_SINCE_RANGES);
  }

  /**
   * Takes the server's vector as held after a gap (the app pages history for the missing
   * stretch). Otherwise every heartbeat would ask again for the same too-large catch-up.
   */
  skipTo(server: VectorEntries): void {
    this.vector.addAll(VersionVector.from(server));
    this.gapPending = false;
  }

  fail(error: MichatError): void {
    this.end(error);
    try {
      this.options.onError?.(error);
    } catch (e) {
      this.onHandlerError(e);
    }
  }

  /** Stops for good; `ready` resolves (or rejects with `error`) if it had not. */
  end(error?: Error): void {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.settleReady(error);
  }

  /** The app-facing handle. */
  handle(unsubscribe: () => void): Subscription {
    return Object.assign(() => unsubscribe(), {
      unsubscribe,
      channel: this.key,
      entries: () => this.vector.entries(),
      digest: () => this.vector.digest(),
      ready: this.ready,
    });
  }
}
