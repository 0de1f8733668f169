import { MichatError, decodeObject, fromHex, nameDevice, type MichatObject } from '@michat/protocol';
import type { HistoryOptions, HistoryPage, PublishOptions } from '../client-types.ts';
import { Emitter } from '../emitter.ts';
import type { DeliveryEvent, QueuedMessage } from '../outbox/outbox-types.ts';
import { encodePayload, type OutgoingPayload } from '../payload.ts';
import type { LocalStore } from '../store/local-store.ts';
import { RecordKeys, channelSubscriptionKey } from '../store/store-records.ts';
import type { SubscribeOptions, Subscription } from '../subscription.ts';
import { ChannelTimeline } from '../timeline/channel-timeline.ts';
import type { OpenedPayload } from '../timeline/timeline-entry.ts';
import type { MessageView, TimelineIdentity } from '../timeline/message-view.ts';
import { ChannelPersister } from './channel-persister.ts';
import { ReadMarker } from './read-marker.ts';

/** What a view needs from its client. */
export interface ChannelViewDeps {
  store: LocalStore;
  identity: TimelineIdentity;
  /** Fetch the owners of these devices if unknown (views refold when they arrive). */
  wantOwners(devices: Iterable<number>): void;
  subscribe(channel: string, handler: (obj: MichatObject) => void, options: SubscribeOptions): Subscription;
  history(channel: string, options: HistoryOptions): Promise<HistoryPage>;
  queue(channel: string, payload: Uint8Array, options: PublishOptions): Promise<QueuedMessage>;
  /** End-to-end encryption: what is known of a sealed payload now, and opening one. Without it nothing is sealed. */
  e2ee?: {
    peek(hex: string): OpenedPayload | undefined;
    open(obj: MichatObject): Promise<OpenedPayload>;
  };
  onError(error: Error): void;
  /** The view was closed (the client forgets it). */
  onClose(): void;
}

export interface ChannelViewOptions {
  /** Objects read from the store at once (default 500); `loadOlder` reads further. */
  initialLimit?: number;
  /** Publish the read mark at most this often (default 2 s). */
  readPublishDelayMs?: number;
}

interface ViewEvents {
  change: void;
  error: Error;
}

/**
 * One channel as a UI shows it, offline first: the messages in the local store at once
 * (`loaded`), then a subscription from the stored vector, so the server sends only what is
 * missing (`synced`). Received objects and the vector go to the store; this device's queued
 * messages show with their delivery state. `change` fires (once per burst) whenever
 * `messages()`, `thread()`, `unread()` or `mentions()` may have changed.
 */
export class ChannelView {
  readonly channel: string;
  readonly timeline: ChannelTimeline;
  /** The local store's part is shown. */
  readonly loaded: Promise<void>;
  /** The first catch-up from the server is done (rejects if the server refuses the channel). */
  readonly synced: Promise<void>;
  private readonly deps: ChannelViewDeps;
  private readonly events = new Emitter<ViewEvents>();
  private readonly persister: ChannelPersister;
  private readonly reads: ReadMarker;
  private sub: Subscription | undefined;
  private settleSynced!: (error?: Error) => void;
  private oldestLoaded: string | undefined;
  /** Where server history paging continues (undefined: below the oldest object held). */
  private historyCursor: string | undefined;
  /** After a gap, server history is paged from the newest object down. */
  private pageFromTop = false;
  private serverExhausted = false;
  private changeQueued = false;
  private closed = false;

  constructor(channel: string, deps: ChannelViewDeps, options: ChannelViewOptions = {}) {
    this.channel = channel;
    this.deps = deps;
    this.timeline = new ChannelTimeline(channel, deps.identity, deps.e2ee && ((obj, hex) => this.openPayload(obj, hex)));
    const subscription = channelSubscriptionKey(channel);
    this.persister = new ChannelPersister({ store: deps.store, channel, subscription, vector: () => this.sub?.entries(), onError: deps.onError });
    this.reads = new ReadMarker(
      {
        published: () => this.timeline.publishedReadUpTo(),
        publish: (upTo) => this.deps.queue(channel, encodePayload({ type: 'read', upTo }), deps.e2ee ? { encrypt: true } : {}),
        onError: deps.onError,
      },
      options.readPublishDelayMs ?? 2_000,
    );
    this.synced = new Promise<void>((resolve, reject) => (this.settleSynced = (e) => (e ? reject(e) : resolve())));
    this.synced.catch(() => undefined);
    this.loaded = this.load(subscription, options.initialLimit ?? 500);
  }

  /** Listens to `change` (re-render) or `error`; returns the remover. */
  on<K extends keyof ViewEvents>(event: K, listener: (value: ViewEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Channel messages (not thread replies), oldest first. */
  messages(): MessageView[] {
    return this.timeline.messages();
  }

  /** A thread's replies, oldest first (root: its name, 32 hex). */
  thread(root: string): MessageView[] {
    return this.timeline.thread(root);
  }

  message(idOrName: string): MessageView | undefined {
    return this.timeline.message(idOrName);
  }

  unread(): number {
    return this.timeline.unread();
  }

  mentions(): number {
    return this.timeline.mentions();
  }

  /** Sends a text (in a thread when `threadRoot` is a root's name). Resolves once it is queued (shown as pending). */
  send(text: string, options: { threadRoot?: string; mentions?: number[] } = {}): Promise<QueuedMessage> {
    return this.queue({ type: 'text', text, ...(options.mentions?.length ? { mentions: options.mentions } : {}) }, options.threadRoot);
  }

  /** A new version of one of the user's messages. */
  edit(target: MessageView | string, text: string, options: { mentions?: number[] } = {}): Promise<QueuedMessage> {
    const msg = this.own(target, 'edit');
    return this.queue({ type: 'text', text, replaces: msg.name, ...(options.mentions?.length ? { mentions: options.mentions } : {}) }, msg.threadRoot);
  }

  /** Deletes one of the user's messages (a tombstone object). */
  delete(target: MessageView | string): Promise<QueuedMessage> {
    const msg = this.own(target, 'delete');
    return this.queue({ type: 'delete', target: msg.name }, msg.threadRoot);
  }

  /** Adds (`on` true) or takes back the user's reaction; toggles when `on` is left out. */
  react(target: MessageView | string, emoji: string, on?: boolean): Promise<QueuedMessage> {
    const msg = this.resolve(target);
    const mine = msg.reactions.some((r) => r.emoji === emoji && r.mine);
    return this.queue({ type: 'reaction', target: msg.name, emoji, on: on ?? !mine }, msg.threadRoot);
  }

  /** Marks read up to a position (default: the newest message); synced to the user's other devices. */
  markRead(upTo = this.timeline.newestPosition()): void {
    if (upTo === undefined) return;
    const before = this.timeline.readUpTo();
    this.timeline.markReadLocally(upTo);
    if (this.timeline.readUpTo() === before) return;
    this.deps.store.setRecord(RecordKeys.read(this.channel), this.timeline.readUpTo()).catch((e: unknown) => this.deps.onError(e as Error));
    this.reads.mark(upTo);
    this.changed();
  }

  /** Shows older messages: from the store first, then from the server. `more`: there may be older ones still. */
  async loadOlder(limit = 50): Promise<{ more: boolean }> {
    await this.loaded;
    const fromStore = await this.deps.store.objects(this.channel, { ...(this.oldestLoaded ? { before: this.oldestLoaded } : {}), limit });
    this.addStored(fromStore);
    if (fromStore.length >= limit) return { more: true };
    if (this.serverExhausted) return { more: false };
    const before = this.pageFromTop ? this.historyCursor : (this.historyCursor ?? this.oldestLoaded);
    const page = await this.deps.history(this.channel, { limit: limit - fromStore.length, ...(before ? { before } : {}) });
    for (const obj of page.objects) this.accept(obj);
    this.historyCursor = page.next;
    this.serverExhausted = !page.more;
    return { more: page.more };
  }

  /** A delivery event of this channel (from the client's outbox). */
  delivery(event: DeliveryEvent): void {
    if (event.state === 'sent') this.timeline.add(event.object, event.localId);
    else if (event.state === 'discarded') this.timeline.removeLocal(event.localId);
    else this.timeline.setLocal(event.localId, event.object, event.state, event.error && { kind: event.error.kind, message: event.error.message });
    this.changed();
  }

  /** Sealed payloads of this channel were opened meanwhile (hex names). */
  opened(names: string[]): void {
    if (this.timeline.reopen(names)) this.changed();
  }

  /** Device owners changed: fold again. */
  identityChanged(): void {
    this.timeline.setIdentity(this.deps.identity);
    this.changed();
  }

  /** Reads the store again (after an import); what is already shown stays. */
  async reload(): Promise<void> {
    const [objects, outbox] = await Promise.all([this.deps.store.objects(this.channel), this.deps.store.outbox()]);
    this.addStored(objects);
    for (const e of outbox) if (e.channel === this.channel) this.timeline.setLocal(e.localId, decodeObject(e.bytes), e.state, e.error);
    this.changed();
  }

  /** Stops following the channel; resolves once what it received is written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reads.flush();
    this.sub?.unsubscribe();
    this.settleSynced(new MichatError('Unavailable', 'the view was closed'));
    this.deps.onClose();
    await this.persister.flushed();
  }

  private async load(subscription: string, limit: number): Promise<void> {
    const { store } = this.deps;
    const [objects, outbox, readMark, vector] = await Promise.all([
      store.objects(this.channel, { limit }),
      store.outbox(),
      store.getRecord<string>(RecordKeys.read(this.channel)),
      store.vector(subscription),
    ]);
    this.addStored(objects);
    for (const e of outbox) if (e.channel === this.channel) this.timeline.setLocal(e.localId, decodeObject(e.bytes), e.state, e.error);
    if (readMark) this.timeline.markReadLocally(readMark);
    this.changed();
    if (this.closed) return;
    this.sub = this.deps.subscribe(this.channel, (obj) => this.accept(obj), {
      ...(vector ? { since: vector } : {}),
      // More was missing than a catch-up carries: page history from the newest down.
      onGap: () => {
        this.pageFromTop = true;
        this.historyCursor = undefined;
        this.serverExhausted = false;
      },
      onError: (e) => this.failed(e),
    });
    this.sub.ready.then(
      () => this.settleSynced(),
      (e: Error) => this.settleSynced(e),
    );
  }

  private addStored(objects: readonly { bytes: Uint8Array; position: string; localId?: string }[]): void {
    const devices = new Set<number>();
    for (const stored of objects) {
      try {
        const obj = decodeObject(stored.bytes);
        this.timeline.add(obj, stored.localId);
        devices.add(nameDevice(obj.name));
      } catch (e) {
        this.deps.onError(e as Error); // a damaged record: the server still has the object
      }
      if (this.oldestLoaded === undefined || stored.position < this.oldestLoaded) this.oldestLoaded = stored.position;
    }
    this.deps.wantOwners(devices);
    this.changed();
  }

  /** An object from the server (subscription or history): shown and kept. */
  private accept(obj: MichatObject): void {
    this.persister.add(obj);
    if (!this.timeline.add(obj)) return;
    this.deps.wantOwners([nameDevice(obj.name)]);
    this.changed();
  }

  /** The timeline's view of a sealed payload; asks the engine when it is not known yet. */
  private openPayload(obj: MichatObject, hex: string): OpenedPayload | undefined {
    const e2ee = this.deps.e2ee!;
    const known = e2ee.peek(hex);
    if (known && known.state !== 'pending') return known;
    e2ee.open(obj).then(
      (opened) => {
        if (opened.state !== 'pending' && !this.closed) this.opened([hex]);
      },
      (e: unknown) => this.deps.onError(e as Error),
    );
    return known;
  }

  private queue(payload: OutgoingPayload, threadRoot: string | undefined): Promise<QueuedMessage> {
    const options: PublishOptions = { ...(threadRoot !== undefined ? { threadRoot: fromHex(threadRoot)! } : {}), ...(this.deps.e2ee ? { encrypt: true } : {}) };
    return this.deps.queue(this.channel, encodePayload(payload), options).then((queued) => {
      this.timeline.setLocal(queued.localId, queued.object, 'pending');
      this.changed();
      return queued;
    });
  }

  private resolve(target: MessageView | string): MessageView {
    const msg = typeof target === 'string' ? this.timeline.message(target) : target;
    if (!msg) throw new MichatError('NotFound', 'no such message in this view');
    return msg;
  }

  private own(target: MessageView | string, what: string): MessageView {
    const msg = this.resolve(target);
    if (!msg.mine) throw new MichatError('Forbidden', `you can only ${what} your own messages`);
    return msg;
  }

  private failed(error: Error): void {
    this.settleSynced(error);
    this.events.emit('error', error);
  }

  /** Coalesces the changes of one burst (a catch-up batch, a load) into one event. */
  private changed(): void {
    if (this.changeQueued || this.closed) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      if (!this.closed) this.events.emit('change', undefined);
    });
  }
}
