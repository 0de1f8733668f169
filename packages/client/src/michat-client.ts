import { MichatError, channelKey, type MichatObject, type Prefix, type Session } from '@michat/protocol';
import { E2ee } from './e2ee/e2ee.ts';
import { KeyApi } from './e2ee/key-api.ts';
import { Verification } from './e2ee/verification.ts';
import { deliveryJob } from './outbox/delivery-job.ts';
import { channelPrefix, type ChannelRef } from './channel-ref.ts';
import type { ConnectionState, HistoryOptions, HistoryPage, LoginOptions, MichatClientOptions, PublishOptions } from './client-types.ts';
import { DataPlane } from './data-plane.ts';
import { DeviceDirectory } from './device-directory.ts';
import { historyJob, toHistoryPage } from './history-job.ts';
import { HttpApi } from './http-api.ts';
import type { OnlineState } from './link.ts';
import { watchBrowserNetwork } from './network-watch.ts';
import { Outbox } from './outbox/outbox.ts';
import type { PublishResult, QueuedMessage } from './outbox/outbox-types.ts';
import { seqFromSeqStore, seqFromStore } from './outbox/seq-source.ts';
import { encodeTextPayload } from './payload.ts';
import type { PresenceMember, PresenceStatus } from './presence-roster.ts';
import { SessionClient, toError } from './session-client.ts';
import type { LocalStore, OutboxEntry } from './store/local-store.ts';
import type { EncryptedExport } from './store/export-encryption.ts';
import { exportState, importState, type ExportOptions, type ImportOptions, type ImportSummary, type MichatExport } from './store/state-export.ts';
import { loadProfile, saveProfile } from './store/store-records.ts';
import { SubscriptionState, type ObjectHandler, type SubscribeOptions, type Subscription } from './subscription.ts';
import type { TimelineIdentity } from './timeline/message-view.ts';
import { ChannelView, type ChannelViewOptions } from './view/channel-view.ts';

/**
 * A michat client: the HTTP directory API, and one WebSocket for publishing, subscribing
 * and history that reconnects by itself. Offline first: messages go through a persisted
 * outbox (named at once, sent when a connection is open, exactly once), channel views show
 * the local store at once and then sync from their stored vectors, and the whole local state
 * can be exported and merged back.
 */
export class MichatClient extends SessionClient {
  private readonly plane: DataPlane;
  private readonly outbox: Outbox;
  private readonly devices: DeviceDirectory;
  private readonly views = new Map<string, ChannelView>();
  private readonly identity: TimelineIdentity;
  /** End-to-end encryption (undefined when the options turn it off). */
  readonly e2ee: E2ee | undefined;
  /** Fingerprints, safety numbers and verified devices (undefined when end-to-end encryption is off). */
  readonly verification: Verification | undefined;
  private stopWatchingNetwork: (() => void) | undefined;
  private started = false;

  /** Logs in with a password (a new device); with a `store`, the session is saved in it. */
  static async login(serverUrl: string, username: string, password: string, options: LoginOptions = {}): Promise<MichatClient> {
    const http = new HttpApi(serverUrl);
    const session = await http.login(username, password, options.deviceName);
    if (options.store) await saveProfile(options.store, { serverUrl: http.baseUrl, session });
    options.onSession?.(session);
    return new MichatClient(serverUrl, session, options);
  }

  /** The client of the account saved in `store` (by an earlier login); undefined when there is none. */
  static async resume(store: LocalStore, options: Omit<MichatClientOptions, 'store'> = {}): Promise<MichatClient | undefined> {
    const profile = await loadProfile(store);
    return profile && new MichatClient(profile.serverUrl, profile.session, { ...options, store });
  }

  /** A client for an existing session (e.g. one saved from `onSession`). Nothing connects yet. */
  constructor(serverUrl: string, session: Session, options: MichatClientOptions = {}) {
    super(serverUrl, session, options);
    const onError = (e: Error) => this.events.emit('error', e);
    this.plane = new DataPlane({
      serverUrl: this.serverUrl,
      options,
      clock: this.clock,
      events: this.events,
      accessToken: () => this.keeper.accessToken(),
      renewSession: () => this.renewSession(),
      onFatal: (e) => this.fatal(e),
      onOpened: () => void this.outbox.resume(),
    });
    this.outbox = new Outbox({
      store: this.store,
      seq: options.seqStore ? seqFromSeqStore(options.seqStore) : seqFromStore(this.store),
      clock: this.clock,
      requests: this.plane.requests,
      deviceId: () => this.session.deviceId,
      keepSent: this.persistent,
      onStored: (obj) => this.plane.subscriptions.own(obj),
      onDelivery: (event) => {
        this.views.get(event.channel)?.delivery(event);
        this.events.emit('delivery', event);
      },
      onError,
      seal: (obj, plain) => {
        if (!this.e2ee) throw new MichatError('BadRequest', 'end-to-end encryption is off in this client');
        return this.e2ee.seal(obj, plain);
      },
    });
    const keyApi = new KeyApi(this.http, () => this.keeper.accessToken());
    const me = () => ({ userId: this.session.userId, deviceId: this.session.deviceId });
    this.e2ee =
      options.e2ee !== true
        ? undefined
        : new E2ee({
            store: this.store,
            api: keyApi,
            me,
            now: () => this.clock.now(),
            publish: (bytes) => {
              this.start();
              return this.plane.requests.run(deliveryJob(bytes));
            },
            subscribe: (prefix, handler, o) => this.subscribePrefix(prefix, handler, o),
            share: (channel, payload) => this.queue(channel, payload, { encrypt: true }),
            onOpened: (channel, names) => this.views.get(channel)?.opened(names),
            onError,
          });
    const e2ee = this.e2ee;
    this.verification = e2ee && new Verification({ store: this.store, api: keyApi, me, identity: () => e2ee.keys.identity(), now: () => Date.now() });
    this.devices = new DeviceDirectory({
      store: this.store,
      fetch: (device) => this.deviceOwner(device),
      onLearnt: () => this.views.forEach((v) => v.identityChanged()),
      onError,
    });
    const { devices } = this;
    const current = () => this.session;
    this.identity = {
      userOf: (d) => (d === current().deviceId ? current().userId : devices.userOf(d)),
      usernameOf: (d) => (d === current().deviceId ? current().username : devices.usernameOf(d)),
      get me() {
        return { userId: current().userId, deviceId: current().deviceId };
      },
    };
  }

  /** `idle` (not started), `connecting`, `open`, `closed`. */
  get state(): ConnectionState {
    return this.plane.link.state;
  }

  /** For an offline banner (also the `onlineState` event): online, connecting or offline. */
  get onlineState(): OnlineState {
    return this.plane.link.onlineState;
  }

  // ---- data plane (WebSocket) ---------------------------------------------------------

  /** Connects (if not yet) and resolves once the socket is open; rejects if the client closes first. */
  connect(): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    if (this.plane.link.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.events.on('state', (state) => {
        if (state === 'open') resolve();
        else if (state === 'closed') reject(this.closedError());
        else return;
        off();
      });
      this.start();
    });
  }

  /**
   * Names the message (next seq of this device in the channel), stores it in the outbox and
   * starts sending it. Resolves once it is queued; `delivered` resolves once the server has it.
   * Offline, it waits in the outbox (across reloads, with a persistent store).
   */
  async queue(channel: ChannelRef, payload: Uint8Array, options: PublishOptions = {}): Promise<QueuedMessage> {
    this.ensureOpenable();
    const queued = this.outbox.queue(channelPrefix(channel), payload, options);
    this.start();
    return queued;
  }

  /** Publishes and resolves once the server stores it (exactly once, whatever the retries). */
  async publish(channel: ChannelRef, payload: Uint8Array, options: PublishOptions = {}): Promise<PublishResult> {
    return (await this.queue(channel, payload, options)).delivered;
  }

  /** Publishes a text message (`{"type":"text","text":…}`), end-to-end encrypted unless the client has E2EE off. */
  sendText(channel: ChannelRef, text: string, options: PublishOptions = {}): Promise<PublishResult> {
    return this.publish(channel, encodeTextPayload(text), { encrypt: this.e2ee !== undefined, ...options });
  }

  /**
   * What a subscriber reads of an object: the plaintext payload (opened when sealed) and
   * whether it was end-to-end encrypted; `undecryptable` with the reason; `control` for keys a
   * member shared (not a message, nothing to show). Throws
   * MichatError(Forbidden) for one sealed by another device than its name says.
   */
  async read(obj: MichatObject): Promise<{ payload: Uint8Array; e2ee: boolean } | { undecryptable: string } | { control: true }> {
    if (obj.keyEpoch === 0) return { payload: obj.payload, e2ee: false };
    if (!this.e2ee) return { undecryptable: 'end-to-end encryption is off in this client' };
    const opened = await this.e2ee.openSettled(obj);
    if (opened.state === 'encrypted') return { payload: opened.payload, e2ee: true };
    if (opened.state === 'forged') throw new MichatError('Forbidden', 'sealed by another device than the one its name carries');
    if (opened.state === 'control') return { control: true };
    return { undecryptable: opened.state === 'failed' ? opened.reason : 'its keys have not arrived yet' };
  }

  /** What waits in the outbox (pending and failed), oldest first. */
  pendingMessages(): Promise<OutboxEntry[]> {
    return this.outbox.entries();
  }

  /** Sends a failed message again. */
  retry(localId: string): Promise<PublishResult> {
    this.ensureOpenable();
    this.start();
    return this.outbox.retry(localId);
  }

  /** Gives up on a queued message (it is never sent). */
  discard(localId: string): Promise<void> {
    return this.outbox.discard(localId);
  }

  /**
   * Delivers every object of the channel the subscription lacks (all of them, or those after
   * `since`), then live ones, each once. Order is not guaranteed: sort by `created` to show.
   * The client's own acknowledged publishes are delivered too.
   */
  subscribe(channel: ChannelRef, handler: ObjectHandler, options: SubscribeOptions = {}): Subscription {
    return this.subscribePrefix(channelPrefix(channel), handler, options);
  }

  private subscribePrefix(prefix: Prefix, handler: ObjectHandler, options: SubscribeOptions): Subscription {
    this.ensureOpenable();
    const state = new SubscriptionState(prefix, handler, options, (e) => this.events.emit('error', toError(e)));
    this.plane.subscriptions.add(state);
    this.start();
    return state.handle(() => {
      this.plane.subscriptions.remove(state);
      if (!this.plane.subscriptions.watches(state.key)) this.plane.roster.forget(state.key);
    });
  }

  /**
   * The channel as a UI shows it (see ChannelView): local history at once, then synced.
   * One view per channel: asking again returns the open one.
   */
  channel(channel: ChannelRef, options: ChannelViewOptions = {}): ChannelView {
    this.ensureOpenable();
    const key = channelKey(channelPrefix(channel).name);
    let view = this.views.get(key);
    if (view) return view;
    view = new ChannelView(
      key,
      {
        store: this.store,
        identity: this.identity,
        wantOwners: (devices) => this.devices.want(devices),
        subscribe: (c, handler, o) => this.subscribe(c, handler, o),
        history: (c, o) => this.history(c, o),
        queue: (c, payload, o) => this.queue(c, payload, o),
        ...(this.e2ee ? { e2ee: { peek: (hex: string) => this.e2ee!.group(key).peek(hex), open: (obj: MichatObject) => this.e2ee!.open(obj) } } : {}),
        onError: (e) => this.events.emit('error', e),
        onClose: () => this.views.delete(key),
      },
      options,
    );
    this.views.set(key, view);
    return view;
  }

  /** A page of the channel's (or a thread's) history, newest first. Waits for a socket. */
  async history(channel: ChannelRef, options: HistoryOptions = {}): Promise<HistoryPage> {
    this.ensureOpenable();
    const job = historyJob(channelPrefix(channel), options);
    this.start();
    return toHistoryPage(await this.plane.requests.run(job));
  }

  /** Shows others that this user is typing (ephemeral; false when not connected). */
  typing(channel: ChannelRef): boolean {
    return this.plane.send({ t: 'typing', channel: channelPrefix(channel).name });
  }

  /** Leaves the channel's presence now rather than when heartbeats stop. */
  leave(channel: ChannelRef): boolean {
    return this.plane.send({ t: 'leave', channel: channelPrefix(channel).name });
  }

  /** Changes the status heartbeats announce, at once. */
  setPresence(status: PresenceStatus): void {
    this.plane.setPresence(status);
  }

  /** Who is present in a subscribed channel, as last heard. */
  presence(channel: ChannelRef): PresenceMember[] {
    return this.plane.roster.members(channelKey(channelPrefix(channel).name));
  }

  // ---- local state --------------------------------------------------------------------

  /**
   * The whole local state as one JSON-ready object (see state-export.ts); views flush first.
   * With a passphrase it is encrypted and carries this device's keys; without, the keys stay here.
   */
  async exportState(): Promise<MichatExport>;
  async exportState(options: { passphrase: string }): Promise<EncryptedExport>;
  async exportState(options?: ExportOptions): Promise<MichatExport | EncryptedExport>;
  async exportState(options: ExportOptions = {}): Promise<MichatExport | EncryptedExport> {
    await Promise.all([...this.views.values()].map((v) => v.loaded.catch(() => undefined)));
    return exportState(this.store, options);
  }

  /** Merges an export (given its passphrase if encrypted) into the store, by name, then shows and sends what it brought. */
  async importState(data: unknown, options: ImportOptions = {}): Promise<ImportSummary> {
    const summary = await importState(this.store, data, options);
    await Promise.all([...this.views.values()].map((v) => v.reload()));
    if (this.plane.link.isOpen) void this.outbox.resume();
    return summary;
  }

  /** Stops everything: views, timers, reconnects, the socket. Queued messages stay in the store. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      const error = this.closedError();
      this.keeper.stop();
      this.e2ee?.close();
      this.stopWatchingNetwork?.();
      this.outbox.close(error);
      const views = [...this.views.values()].map((v) => v.close());
      this.closing = Promise.all([this.plane.close(error), ...views]).then(() => undefined);
    }
    return this.closing;
  }

  // ---- internals ----------------------------------------------------------------------

  protected sessionChanged(session: Session): void {
    this.plane.send({ t: 'auth', token: session.accessToken });
  }

  private start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.keeper.start();
    // The device's key and KeyPackages go up at once, so others can add it before it writes.
    this.e2ee?.ready().catch((e: unknown) => this.events.emit('error', toError(e)));
    this.plane.link.start();
    this.stopWatchingNetwork = watchBrowserNetwork({
      online: () => this.plane.link.retryNow(),
      offline: () => this.plane.link.abandon('the browser went offline'),
    });
  }

  private ensureOpenable(): void {
    if (this.closing) throw this.closedError();
  }

  private closedError(): MichatError {
    return this.fatalError ?? new MichatError('Unavailable', 'the client is closed');
  }
}
