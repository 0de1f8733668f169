import { MichatError, channelKey, decodeObject, encodeObject, nameDevice, nameSeq, positionToCursor, type MichatObject, type Prefix } from '@michat/protocol';
import type { PublishOptions } from '../client-types.ts';
import type { RequestQueue } from '../request-queue.ts';
import type { ServerClock } from '../server-clock.ts';
import type { LocalStore, OutboxEntry } from '../store/local-store.ts';
import { channelSubscriptionKey } from '../store/store-records.ts';
import { PublishRefused, deliveryJob } from './delivery-job.ts';
import { checkPublishable, entryName, envelope, newEntry, newLocalId, reissue } from './object-builder.ts';
import type { DeliveryEvent, PublishResult, QueuedMessage } from './outbox-types.ts';
import { OwnerLock } from './owner-lock.ts';
import { highestSeq, type SeqSource } from './seq-source.ts';
import { backgroundTimeout, type TimerHandle } from '../timers.ts';
import { fromBase64 } from '../store/base64.ts';

export interface OutboxDeps {
  store: LocalStore;
  seq: SeqSource;
  clock: ServerClock;
  requests: RequestQueue;
  deviceId(): number;
  /** Also keep acknowledged objects in the store (apps that show history from it). */
  keepSent: boolean;
  /** An object was acknowledged: hand it to the subscriptions (the server does not echo it). */
  onStored(obj: MichatObject): void;
  onDelivery(event: DeliveryEvent): void;
  /** A store write failed where no caller waits. */
  onError(error: Error): void;
  /** Seals an end-to-end encrypted entry's payload (waits until the device is in the channel's group). */
  seal?(unsealed: MichatObject, plain: Uint8Array): Promise<MichatObject>;
}

/** Renumberings of one message after Conflict answers before it counts as failed. */
const MAX_RENUMBERS = 16;
/** Re-stamps of one message after ClockSkew answers. */
const MAX_RESTAMPS = 2;
/**
 * A pending entry younger than this, queued by another outbox that still runs (or, without
 * Web Locks, by any other outbox), is left to the tab sending it; after that this one sends
 * it too (a `dup` at worst).
 */
const OTHER_TAB_GRACE_MS = 5_000;

/**
 * The persisted outbox. A message gets its name at once (the next seq of this device in the
 * channel), is stored as pending, and is sent whenever a connection is open: always the bytes
 * stored, so a retry, a reload or another tab re-sending it stores it once (`dup`).
 *
 * Refusals: Conflict (the name holds other bytes: the counters were behind, e.g. after an
 * import) renumbers it under a fresh seq, keeping its local id; ClockSkew re-stamps it;
 * a message written under an earlier session's device is renumbered under this one; other
 * refusals leave it `failed` with the reason until `retry` or `discard`. Every rewrite is a
 * compare-and-swap on the stored bytes, so two tabs never send two versions of one message.
 */
export class Outbox {
  private readonly deps: OutboxDeps;
  private readonly inflight = new Map<string, Promise<PublishResult>>();
  /** Entries being queued (stored, not yet sending). */
  private readonly queuing = new Set<string>();
  private readonly owner = new OwnerLock();
  private tail: Promise<unknown> = Promise.resolve();
  private resuming: Promise<void> | undefined;
  private resumeLater: TimerHandle | undefined;
  private closedWith: Error | undefined;

  constructor(deps: OutboxDeps) {
    this.deps = deps;
  }

  /** Names the message, stores it as pending and starts sending it; resolves once it is stored locally. */
  queue(channel: Prefix, payload: Uint8Array, options: PublishOptions): Promise<QueuedMessage> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const { clock, store } = this.deps;
    checkPublishable(channel, payload, options, clock.now());
    const key = channelKey(channel.name);
    // Chained, so names are taken and sends start in call order: one device's stream arrives in sequence.
    const queued = this.tail.then(async (): Promise<QueuedMessage> => {
      if (this.closedWith) throw this.closedWith;
      const device = this.deps.deviceId();
      const seq = await this.deps.seq.take(device, key, 0);
      const object = encodeObject(envelope(channel, device, seq, clock.now(), options), payload);
      this.owner.hold();
      const entry: OutboxEntry = { ...newEntry(newLocalId(), object, clock.localNow(), options.encrypt === true), owner: this.owner.id };
      // Not resumed by a connection opening meanwhile: this call sends it (two sends would seal it twice).
      this.queuing.add(entry.localId);
      try {
        await store.putOutbox(entry);
      } catch (e) {
        this.queuing.delete(entry.localId);
        throw e;
      }
      this.emit(entry, 'pending');
      const delivered = this.deliver(entry);
      this.queuing.delete(entry.localId);
      delivered.catch(() => undefined); // callers may follow events instead
      return { localId: entry.localId, channel: key, object, delivered };
    });
    this.tail = queued.catch(() => undefined);
    return queued;
  }

  /**
   * Sends every pending entry in the store not already on its way: on each new connection,
   * so earlier sessions' entries go too, and other tabs' after a grace period.
   */
  resume(): Promise<void> {
    this.resuming ??= (async () => {
      try {
        const youngSince = this.deps.clock.localNow() - OTHER_TAB_GRACE_MS;
        const running = await OwnerLock.running();
        for (const entry of await this.deps.store.outbox()) {
          if (entry.state !== 'pending' || this.inflight.has(entry.localId) || this.queuing.has(entry.localId) || this.closedWith) continue;
          const otherTab = entry.owner !== undefined && entry.owner !== this.owner.id && (running?.has(entry.owner) ?? true);
          if (otherTab && entry.queuedAt > youngSince) {
            this.resumeLater ??= backgroundTimeout(() => {
              this.resumeLater = undefined;
              void this.resume();
            }, OTHER_TAB_GRACE_MS);
            continue;
          }
          this.emit(entry, 'pending');
          this.deliver(entry).catch(() => undefined);
        }
      } catch (e) {
        this.deps.onError(e as Error);
      } finally {
        this.resuming = undefined;
      }
    })();
    return this.resuming;
  }

  /** Sends a failed message again (same name and bytes). */
  async retry(localId: string): Promise<PublishResult> {
    const running = this.inflight.get(localId);
    if (running) return running;
    const entry = (await this.deps.store.outbox()).find((e) => e.localId === localId);
    if (!entry) throw new MichatError('NotFound', 'no such message in the outbox');
    const { error: _, ...rest } = entry;
    const pending = await this.deps.store.swapOutbox(localId, entry.bytes, { ...rest, state: 'pending' });
    if (!pending) throw new MichatError('NotFound', 'no such message in the outbox');
    this.emit(pending, 'pending');
    return this.deliver(pending);
  }

  /** Gives up on a message: it leaves the outbox unsent (its number stays a hole). */
  async discard(localId: string): Promise<void> {
    const entry = (await this.deps.store.outbox()).find((e) => e.localId === localId);
    if (!entry) return;
    await this.deps.store.removeOutbox(localId);
    this.emit(entry, 'discarded');
  }

  /** What is queued (pending and failed), in order. */
  entries(): Promise<OutboxEntry[]> {
    return this.deps.store.outbox();
  }

  /** Stops sending; what is queued stays in the store for the next client. */
  close(error: Error): void {
    this.closedWith ??= error;
    if (this.resumeLater !== undefined) clearTimeout(this.resumeLater);
    this.owner.drop();
  }

  private deliver(entry: OutboxEntry): Promise<PublishResult> {
    const running = this.send(entry).finally(() => this.inflight.delete(entry.localId));
    this.inflight.set(entry.localId, running);
    return running;
  }

  private async send(first: OutboxEntry): Promise<PublishResult> {
    let entry = first;
    const tries = { renumbers: 0, restamps: 0 };
    for (;;) {
      const device = this.deps.deviceId();
      let answer: { dup: boolean } | undefined;
      try {
        // Written under another device (an earlier session's): only that device may publish the name.
        if (nameDevice(entryName(entry)) !== device) entry = await this.rewrite(entry, { device, seq: await this.deps.seq.take(device, entry.channel, 0) });
        else if (entry.plain !== undefined && !entry.sealed) entry = await this.sealEntry(entry);
        else answer = await this.deps.requests.run(deliveryJob(entry.bytes));
      } catch (e) {
        entry = await this.recover(entry, e, tries);
        continue;
      }
      if (answer) return this.stored(entry, answer.dup);
    }
  }

  /** The next version to send after a refusal, or throws (leaving the entry failed or pending). */
  private async recover(entry: OutboxEntry, e: unknown, tries: { renumbers: number; restamps: number }): Promise<OutboxEntry> {
    if (this.closedWith) throw this.closedWith; // stays pending for the next client
    // Not the server's word on this message (session renewal, storage): keep it pending.
    if (!(e instanceof PublishRefused) || e.kind === 'Unauthorized') throw e;
    try {
      if (e.kind === 'Conflict' && tries.renumbers++ < MAX_RENUMBERS) {
        const device = this.deps.deviceId();
        const known = highestSeq(await this.deps.store.vector(channelSubscriptionKey(entry.channel)), device);
        const seq = await this.deps.seq.take(device, entry.channel, Math.max(nameSeq(entryName(entry)), known));
        return await this.rewrite(entry, { seq });
      }
      if (e.kind === 'ClockSkew' && e.serverTime !== undefined && tries.restamps++ < MAX_RESTAMPS) {
        this.deps.clock.learn(e.serverTime);
        return await this.rewrite(entry, { created: e.serverTime });
      }
    } catch (inner) {
      throw await this.fail(entry, inner);
    }
    throw await this.fail(entry, e);
  }

  /** Stores the reissued entry unless another tab changed it first, and goes on with what is stored. */
  private async rewrite(entry: OutboxEntry, change: Parameters<typeof reissue>[1]): Promise<OutboxEntry> {
    const stored = await this.deps.store.swapOutbox(entry.localId, entry.bytes, reissue(entry, change));
    if (!stored) throw new MichatError('NotFound', 'the message left the outbox meanwhile (sent or discarded elsewhere)');
    if (stored.state === 'failed') throw new MichatError(stored.error?.kind ?? 'Internal', stored.error?.message ?? 'failed elsewhere');
    this.emit(stored, 'pending');
    return stored;
  }

  /** Replaces an unsealed entry by its sealed version (what every send from now on carries). */
  private async sealEntry(entry: OutboxEntry): Promise<OutboxEntry> {
    if (!this.deps.seal) throw new MichatError('Internal', 'this client cannot seal messages');
    const sealed = await this.deps.seal(decodeObject(entry.bytes), fromBase64(entry.plain!));
    const next: OutboxEntry = { ...entry, bytes: sealed.bytes, sealed: true };
    const stored = await this.deps.store.swapOutbox(entry.localId, entry.bytes, next);
    if (!stored) throw new MichatError('NotFound', 'the message left the outbox meanwhile (sent or discarded elsewhere)');
    return stored;
  }

  private async fail(entry: OutboxEntry, e: unknown): Promise<MichatError> {
    const error = e instanceof MichatError ? e : new MichatError('Internal', e instanceof Error ? e.message : String(e));
    const failed: OutboxEntry = { ...entry, state: 'failed', error: { kind: error.kind, message: error.message } };
    const stored = await this.deps.store.swapOutbox(entry.localId, entry.bytes, failed).catch((err: unknown) => this.deps.onError(err as Error));
    if (stored?.state === 'failed') this.emit(stored, 'failed', error);
    return error;
  }

  private async stored(entry: OutboxEntry, dup: boolean): Promise<PublishResult> {
    const object = decodeObject(entry.bytes);
    const { store } = this.deps;
    try {
      // Object first, then the outbox: a crash between them costs a `dup`, never the message.
      if (this.deps.keepSent) {
        const position = positionToCursor({ created: object.created, device: nameDevice(object.name), seq: nameSeq(object.name) });
        await store.addObjects(entry.channel, [{ name: entry.name, position, bytes: entry.bytes, localId: entry.localId }]);
      }
      await store.removeOutbox(entry.localId);
    } catch (e) {
      this.deps.onError(e as Error); // the server has it; the next ack (dup) cleans up
    }
    this.deps.onStored(object);
    this.emit(entry, 'sent', undefined, dup);
    return { object, dup };
  }

  private emit(entry: OutboxEntry, state: DeliveryEvent['state'], error?: MichatError, dup?: boolean): void {
    this.deps.onDelivery({
      localId: entry.localId,
      channel: entry.channel,
      object: decodeObject(entry.bytes),
      state,
      ...(error ? { error } : {}),
      ...(dup !== undefined ? { dup } : {}),
    });
  }
}
