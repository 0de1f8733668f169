import { MichatError, toHex, type Channel, type DeviceInfo, type ImportResult, type Me, type Session, type Team, type TeamRole, type Visibility } from '@michat/protocol';
import type { ClientEvents, MichatClientOptions } from './client-types.ts';
import { Emitter } from './emitter.ts';
import { HttpApi } from './http-api.ts';
import type { PresenceEvent, TypingEvent } from './presence-roster.ts';
import { ServerClock } from './server-clock.ts';
import { SessionKeeper } from './session-keeper.ts';
import type { LocalStore } from './store/local-store.ts';
import { MemoryStore } from './store/memory-store.ts';
import { RecordKeys, saveProfile, type StoredDirectory } from './store/store-records.ts';
import { StoreSessionHttp } from './store-session-http.ts';

/**
 * The session half of a client: the session kept fresh (and saved in the store, shared by
 * its tabs), events, and the HTTP directory calls. MichatClient adds the data plane.
 */
export abstract class SessionClient {
  readonly serverUrl: string;
  /** The stateless HTTP API underneath (callers pass tokens). */
  readonly http: HttpApi;
  /** Where this client keeps its state (a private MemoryStore when none was given). */
  readonly store: LocalStore;
  protected readonly options: MichatClientOptions;
  protected readonly events = new Emitter<ClientEvents>();
  protected readonly clock: ServerClock;
  protected readonly keeper: SessionKeeper;
  /** The app gave a store: sessions and snapshots are saved to it. */
  protected readonly persistent: boolean;
  protected fatalError: MichatError | undefined;
  /** Set by close(): the client is stopping or stopped. */
  protected closing: Promise<void> | undefined;
  private readonly deviceOwners = new Map<number, Promise<DeviceInfo>>();

  constructor(serverUrl: string, session: Session, options: MichatClientOptions) {
    this.serverUrl = serverUrl.replace(/\/+$/, '');
    this.options = options;
    this.persistent = options.store !== undefined;
    this.store = options.store ?? new MemoryStore();
    this.clock = new ServerClock(options.now);
    this.http = options.store ? new StoreSessionHttp(this.serverUrl, options.store, () => this.keeper.session, () => this.clock.now()) : new HttpApi(this.serverUrl);
    this.keeper = new SessionKeeper({
      http: this.http,
      session,
      now: () => this.clock.now(),
      refreshBeforeMs: options.refreshBeforeMs ?? 60_000,
      onSession: (s) => this.sessionRenewed(s),
      onDead: (e) => this.fatal(e),
    });
  }

  /** Stops the client (the data plane's part). */
  abstract close(): Promise<void>;

  /** The new session is in force: tell the open socket. */
  protected abstract sessionChanged(session: Session): void;

  /** The current session (it changes on every refresh). */
  get session(): Session {
    return this.keeper.session;
  }

  /** The server's clock as estimated here (ms since the epoch). */
  now(): number {
    return this.clock.now();
  }

  /** Listens to a client event (see ClientEvents); returns the remover. */
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

  /** Who the user is, with teams and channels; saved in the store for `directory()`. */
  async me(): Promise<Me> {
    const me = await this.authed((t) => this.http.me(t));
    if (this.persistent) {
      const snapshot: StoredDirectory = { me, savedAt: this.clock.localNow() };
      await this.store.setRecord(RecordKeys.directory, snapshot).catch((e: unknown) => this.events.emit('error', e as Error));
    }
    return me;
  }

  /** The last `me()` answer kept in the store (shown at once, and offline); undefined before the first. */
  async directory(): Promise<StoredDirectory | undefined> {
    return this.store.getRecord<StoredDirectory>(RecordKeys.directory);
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

  /**
   * Org admins: stores objects of a channel from a dump again under their own names (at
   * most MAX_IMPORT_OBJECTS per call); see `michat undump`.
   */
  importObjects(channelId: number, objects: Uint8Array[]): Promise<ImportResult> {
    return this.authed((t) => this.http.importObjects(t, channelId, objects.map(toHex)));
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

  /** Ends the session on the server, forgets it in the store, and closes the client. */
  async logout(): Promise<void> {
    try {
      await this.http.logout(this.session.refreshToken);
      if (this.persistent) await this.store.deleteRecord(RecordKeys.profile);
    } finally {
      await this.close();
    }
  }

  // ---- internals ----------------------------------------------------------------------

  protected async renewSession(): Promise<void> {
    try {
      await this.keeper.refresh();
    } catch (e) {
      if (e instanceof MichatError && e.kind === 'Unauthorized') this.fatal(e);
      throw e;
    }
  }

  /** The session is gone (or no protocol in common): report and close. */
  protected fatal(error: MichatError): void {
    if (this.closing) return;
    this.fatalError = error;
    this.events.emit('error', error);
    void this.close();
  }

  /** An HTTP call with a fresh token, retried once after a refresh when refused. */
  protected async authed<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.keeper.accessToken();
    try {
      return await call(token);
    } catch (e) {
      if (!(e instanceof MichatError) || e.kind !== 'Unauthorized') throw e;
      await this.renewSession();
      return call(this.keeper.session.accessToken);
    }
  }

  private sessionRenewed(session: Session): void {
    this.sessionChanged(session);
    if (this.persistent) saveProfile(this.store, { serverUrl: this.serverUrl, session }).catch((e: unknown) => this.events.emit('error', e as Error));
    this.events.emit('session', session);
    try {
      this.options.onSession?.(session);
    } catch (e) {
      this.events.emit('error', toError(e));
    }
  }
}

export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
