import {
  MichatError,
  channelKey,
  type Channel,
  type DeviceInfo,
  type Me,
  type Session,
  type Team,
  type TeamRole,
  type Visibility,
} from '@michat/protocol';
import { channelPrefix, type ChannelRef } from './channel-ref.ts';
import type { ClientEvents, ConnectionState, HistoryOptions, HistoryPage, LoginOptions, MichatClientOptions, PublishOptions } from './client-types.ts';
import { DataPlane } from './data-plane.ts';
import { Emitter } from './emitter.ts';
import { historyJob, toHistoryPage } from './history-job.ts';
import { HttpApi } from './http-api.ts';
import { encodeTextPayload } from './payload.ts';
import type { PresenceEvent, PresenceMember, PresenceStatus, TypingEvent } from './presence-roster.ts';
import type { PublishResult } from './publish-job.ts';
import { Publisher } from './publisher.ts';
import { MemorySeqStore } from './seq-store.ts';
import { ServerClock } from './server-clock.ts';
import { SessionKeeper } from './session-keeper.ts';
import { SubscriptionState, type ObjectHandler, type SubscribeOptions, type Subscription } from './subscription.ts';

/**
 * A michat client: the HTTP directory API, and one WebSocket for publishing, subscribing
 * and history that reconnects by itself. Publishes and history requests wait for a socket
 * and survive reconnects; subscriptions resume from their vectors, so after any outage
 * each subscription delivers exactly what it missed, once.
 */
export class MichatClient {
  readonly serverUrl: string;
  /** The stateless HTTP API underneath (callers pass tokens). */
  readonly http: HttpApi;
  private readonly options: MichatClientOptions;
  private readonly events = new Emitter<ClientEvents>();
  private readonly clock: ServerClock;
  private readonly keeper: SessionKeeper;
  private readonly plane: DataPlane;
  private readonly publisher: Publisher;
  private readonly deviceOwners = new Map<number, Promise<DeviceInfo>>();
  private started = false;
  private closing: Promise<void> | undefined;
  private fatalError: MichatError | undefined;

  /** Logs in with a password (a new device) and returns a client for that session. */
  static async login(serverUrl: string, username: string, password: string, options: LoginOptions = {}): Promise<MichatClient> {
    const session = await new HttpApi(serverUrl).login(username, password, options.deviceName);
    options.onSession?.(session);
    return new MichatClient(serverUrl, session, options);
  }

  /** A client for an existing session (e.g. one saved from `onSession`). Nothing connects yet. */
  constructor(serverUrl: string, session: Session, options: MichatClientOptions = {}) {
    this.serverUrl = serverUrl.replace(/\/+$/, '');
    this.http = new HttpApi(this.serverUrl);
    this.options = options;
    this.clock = new ServerClock(options.now);
    this.keeper = new SessionKeeper({
      http: this.http,
      session,
      now: () => this.clock.now(),
      refreshBeforeMs: options.refreshBeforeMs ?? 60_000,
      onSession: (s) => this.sessionRenewed(s),
      onDead: (e) => this.fatal(e),
    });
    this.plane = new DataPlane({
      serverUrl: this.serverUrl,
      options,
      clock: this.clock,
      events: this.events,
      accessToken: () => this.keeper.accessToken(),
      renewSession: () => this.renewSession(),
      onFatal: (e) => this.fatal(e),
    });
    this.publisher = new Publisher({
      seqStore: options.seqStore ?? new MemorySeqStore(),
      clock: this.clock,
      requests: this.plane.requests,
      deviceId: () => this.session.deviceId,
      onStored: (obj) => this.plane.subscriptions.own(obj),
    });
  }

  // ---- session and events -------------------------------------------------------------

  /** The current session (it changes on every refresh). */
  get session(): Session {
    return this.keeper.session;
  }

  get state(): ConnectionState {
    return this.plane.link.state;
  }

  /** The server's clock as estimated here (ms since the epoch). */
  now(): number {
    return this.clock.now();
  }

  /** Listens to `state`, `error`, `session`, `presence` or `typing`; returns the remover. */
  on<K extends keyof ClientEvents>(event: K, listener: (value: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  onPresence(listener: (event: PresenceEvent) => void): () => void {
    return this.events.on('presence', listener);
  }

  onTyping(listener: (event: TypingEvent) => void): () => void {
    return this.events.on('typing', listener);
  }

  /** Refreshes the session now (the old refresh token is spent) and re-authenticates the socket. */
  refreshSession(): Promise<Session> {
    return this.keeper.refresh();
  }

  // ---- directory (HTTP) ---------------------------------------------------------------

  me(): Promise<Me> {
    return this.authed((t) => this.http.me(t));
  }

  createUser(username: string, password: string): Promise<{ userId: number; username: string }> {
    return this.authed((t) => this.http.createUser(t, username, password));
  }

  createTeam(name: string): Promise<Team> {
    return this.authed((t) => this.http.createTeam(t, name));
  }

  addTeamMember(teamId: number, username: string, role: TeamRole = 'member'): Promise<void> {
    return this.authed((t) => this.http.addTeamMember(t, teamId, username, role));
  }

  teamChannels(teamId: number): Promise<Channel[]> {
    return this.authed((t) => this.http.teamChannels(t, teamId));
  }

  createChannel(teamId: number, name: string, visibility: Visibility = 'public'): Promise<Channel> {
    return this.authed((t) => this.http.createChannel(t, teamId, name, visibility));
  }

  joinChannel(channelId: number): Promise<Channel> {
    return this.authed((t) => this.http.joinChannel(t, channelId));
  }

  addChannelMember(channelId: number, username: string): Promise<void> {
    return this.authed((t) => this.http.addChannelMember(t, channelId, username));
  }

  /** Who sends as a device (names carry device ids); cached, since it never changes. */
  deviceOwner(deviceId: number): Promise<DeviceInfo> {
    let owner = this.deviceOwners.get(deviceId);
    if (!owner) {
      owner = this.authed((t) => this.http.device(t, deviceId));
      this.deviceOwners.set(deviceId, owner);
      owner.catch(() => this.deviceOwners.delete(deviceId));
    }
    return owner;
  }

  /** Ends the session on the server and closes the client. */
  async logout(): Promise<void> {
    try {
      await this.http.logout(this.session.refreshToken);
    } finally {
      await this.close();
    }
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
   * Publishes `payload` under the next name of this device in the channel. Resolves once the
   * server has it durably; until then it is retried (also across reconnects) with the same
   * bytes, so it is stored exactly once. Rejects with a MichatError the server gave for good.
   */
  async publish(channel: ChannelRef, payload: Uint8Array, options: PublishOptions = {}): Promise<PublishResult> {
    this.ensureOpenable();
    const prefix = channelPrefix(channel);
    const publishing = this.publisher.publish(prefix, payload, options);
    this.start();
    return publishing;
  }

  /** Publishes a text message (`{"type":"text","text":…}`). */
  sendText(channel: ChannelRef, text: string, options: PublishOptions = {}): Promise<PublishResult> {
    return this.publish(channel, encodeTextPayload(text), options);
  }

  /**
   * Delivers every object of the channel the subscription lacks (all of them, or those after
   * `since`), then live ones, each once. Order is not guaranteed: sort by `created` to show.
   * The client's own acknowledged publishes are delivered too.
   */
  subscribe(channel: ChannelRef, handler: ObjectHandler, options: SubscribeOptions = {}): Subscription {
    this.ensureOpenable();
    const state = new SubscriptionState(channelPrefix(channel), handler, options, (e) => this.events.emit('error', toError(e)));
    this.plane.subscriptions.add(state);
    this.start();
    return state.handle(() => {
      this.plane.subscriptions.remove(state);
      if (!this.plane.subscriptions.watches(state.key)) this.plane.roster.forget(state.key);
    });
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

  /** Stops everything: timers, reconnects, the socket. Pending publishes reject. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.keeper.stop();
      this.closing = this.plane.close(this.closedError());
    }
    return this.closing;
  }

  // ---- internals ----------------------------------------------------------------------

  private start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.keeper.start();
    this.plane.link.start();
  }

  private ensureOpenable(): void {
    if (this.closing) throw this.closedError();
  }

  private closedError(): MichatError {
    return this.fatalError ?? new MichatError('Unavailable', 'the client is closed');
  }

  private sessionRenewed(session: Session): void {
    this.plane.send({ t: 'auth', token: session.accessToken });
    this.events.emit('session', session);
    try {
      this.options.onSession?.(session);
    } catch (e) {
      this.events.emit('error', toError(e));
    }
  }

  private async renewSession(): Promise<void> {
    try {
      await this.keeper.refresh();
    } catch (e) {
      if (e instanceof MichatError && e.kind === 'Unauthorized') this.fatal(e);
      throw e;
    }
  }

  /** The session is gone (or no protocol in common): report and close. */
  private fatal(error: MichatError): void {
    if (this.closing) return;
    this.fatalError = error;
    this.events.emit('error', error);
    void this.close();
  }

  /** An HTTP call with a fresh token, retried once after a refresh when refused. */
  private async authed<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.keeper.accessToken();
    try {
      return await call(token);
    } catch (e) {
      if (!(e instanceof MichatError) || e.kind !== 'Unauthorized') throw e;
      await this.renewSession();
      return call(this.keeper.session.accessToken);
    }
  }
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
