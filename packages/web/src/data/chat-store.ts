import {
  IndexedDbStore,
  MichatClient,
  MichatError,
  RecordKeys,
  importState,
  isEncryptedExport,
  readExport,
  type Channel,
  type ChangedKey,
  type DeviceTrust,
  type LocalStore,
  type Me,
  type MichatClientOptions,
  type OnlineState,
  type Session,
  type StoredProfile,
} from '@michat/client';
import { ChannelEntry, lostAccess } from './channel-entry.ts';
import { DirectoryApi, PublicApi, isMissingRoute, type UpdateChannel } from './directory-api.ts';
import { ChangeSignal } from './emitter.ts';
import { findMentions } from './mentions.ts';

export type Phase = 'boot' | 'setup' | 'signed-out' | 'ready';
export type Connection = OnlineState;
export interface TeamView {
  id: number;
  name: string;
  role?: string | undefined;
  channels: Channel[];
}
export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

/** The IndexedDB database of this origin: one account at a time (the SDK's LocalStore). */
const STORE_NAME = 'michat';
const TYPING_SHOWN_MS = 6_000;
const TYPING_SEND_EVERY_MS = 2_500;
const ME_REFRESH_MS = 15_000;
const ACTIVE_KEY = 'michat.active';
const CLIENT_OPTIONS: MichatClientOptions = { clientName: 'michat-web', e2ee: true, backoff: { initialMs: 250, maxMs: 5_000 } };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The app's state: a thin layer over the SDK. The MichatClient (with an IndexedDB store) does
 * the offline-first work (persisted outbox, local history, sync, export/import); each followed
 * channel is one of its ChannelViews. This layer adds the account's lifecycle (first run,
 * sign-in, invites, sign-out), the sidebar's directory, presence and typing, and directory
 * calls. Components read its fields; `signal` tells them when to render again.
 */
export class ChatStore {
  readonly signal = new ChangeSignal();
  readonly serverUrl: string;
  readonly publicApi: PublicApi;
  phase: Phase = 'boot';
  /** Whether the server can create its first organization from the browser (undefined: unknown). */
  setupNeeded: boolean | undefined;
  notice: Notice | undefined;
  me: Me | undefined;
  teams: TeamView[] = [];
  dms: Channel[] = [];
  readonly channels = new Map<string, ChannelEntry>();
  activeKey: string | undefined;
  threadRoot: string | undefined;
  connection: Connection = 'connecting';
  /** Username → user id (mentions travel as ids), learnt from member lists and the directory. */
  readonly userIds = new Map<string, number>();
  readonly usernames = new Map<number, string>();
  client: MichatClient | undefined;
  api: DirectoryApi | undefined;
  /** Devices whose key is not the one this browser saw first: a loud warning until re-verified. */
  changedKeys: ChangedKey[] = [];
  /** Each channel's member devices as last judged (fingerprint, verified, changed), for the header's lock. */
  readonly channelDevices = new Map<string, DeviceTrust[]>();
  private store: LocalStore | undefined;
  private cleanup: Array<() => void> = [];
  private lastTypingSent = 0;
  /** Signing out on purpose: the client's close is expected. */
  private leaving = false;
  /** Channels being left from here: their disappearance is not news. */
  private readonly departing = new Set<string>();
  /** `me` answers apply in the order their requests started (a late, older answer is stale). */
  private meAsked = 0;
  private meApplied = 0;

  constructor(serverUrl: string) {
    this.serverUrl = serverUrl;
    this.publicApi = new PublicApi(serverUrl);
  }

  private changed(): void {
    this.signal.notify();
  }

  setNotice(notice: Notice | undefined): void {
    this.notice = notice;
    this.changed();
  }

  // ---- lifecycle ----------------------------------------------------------------------

  private async openStore(): Promise<LocalStore> {
    this.store ??= await IndexedDbStore.open(STORE_NAME);
    return this.store;
  }

  async boot(): Promise<void> {
    const store = await this.openStore();
    const client = await MichatClient.resume(store, CLIENT_OPTIONS);
    if (client) return this.start(client);
    await this.signedOut();
  }

  private async signedOut(notice?: Notice): Promise<void> {
    this.phase = 'signed-out';
    this.notice = notice;
    try {
      this.setupNeeded = (await this.publicApi.setupStatus())?.needed;
    } catch {
      this.setupNeeded = undefined;
    }
    if (this.setupNeeded) this.phase = 'setup';
    this.changed();
  }

  /** Signs in with a password: a new device named after this browser. */
  async signIn(username: string, password: string): Promise<void> {
    await this.adopt(await this.publicApi.login(username, password, deviceName()));
  }

  async register(code: string, username: string, password: string): Promise<void> {
    await this.adopt(await this.publicApi.register(code, username, password, deviceName()));
  }

  async setup(org: string, username: string, password: string): Promise<void> {
    await this.adopt(await this.publicApi.setup(org, username, password));
  }

  /** A new session: the store keeps one account, so another account's data goes first. */
  private async adopt(session: Session): Promise<void> {
    const store = await this.openStore();
    const previous = await store.getRecord<StoredProfile>(RecordKeys.profile);
    const same = previous?.session.userId === session.userId && previous.session.orgId === session.orgId;
    if (!same && (previous || (await store.channels()).length)) await store.clear();
    await store.setRecord(RecordKeys.profile, { serverUrl: this.serverUrl, session } satisfies StoredProfile);
    await this.start(new MichatClient(this.serverUrl, session, { ...CLIENT_OPTIONS, store }));
  }

  private async start(client: MichatClient): Promise<void> {
    this.client = client;
    this.api = new DirectoryApi(client);
    const session = client.session;
    this.learnUser(session.userId, session.username);
    this.cleanup.push(
      client.on('onlineState', (s) => {
        this.connection = s;
        this.changed();
      }),
      client.on('error', (e) => {
        if (client === this.client) console.warn('michat:', e.message);
      }),
      // The client closes by itself only when the session is gone for good (revoked, expired).
      client.on('state', (s) => {
        if (s !== 'closed' || client !== this.client || this.leaving) return;
        void this.stop().then(() => this.signedOut({ kind: 'info', text: 'You were signed out on this device. Sign in again; your messages stay here.' }));
      }),
      client.onPresence((e) => {
        const ch = this.channels.get(e.channel);
        if (!ch) return;
        ch.presence = e.members;
        this.changed();
      }),
      client.onTyping((e) => {
        const ch = this.channels.get(e.channel);
        if (!ch || e.user === session.username) return;
        ch.typing.set(e.user, Date.now() + TYPING_SHOWN_MS);
        this.changed();
        setTimeout(() => this.changed(), TYPING_SHOWN_MS + 50);
      }),
    );
    this.connection = client.onlineState;
    this.phase = 'ready';
    this.activeKey = localStorage.getItem(ACTIVE_KEY) ?? undefined;
    const cached = await client.directory();
    if (cached) this.applyMe(cached.me);
    this.changed();
    const refresher = setInterval(() => void this.refreshMe(), ME_REFRESH_MS);
    const onFocus = () => void this.refreshMe();
    const onVisible = () => this.markActiveRead();
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onVisible);
    this.cleanup.push(
      () => clearInterval(refresher),
      () => window.removeEventListener('focus', onFocus),
      () => document.removeEventListener('visibilitychange', onVisible),
    );
    void client.connect().catch(() => undefined);
    await this.refreshMe();
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined; // first: the close below must not look like a lost session
    for (const c of this.cleanup) c();
    this.cleanup = [];
    const entries = [...this.channels.values()];
    this.channels.clear();
    this.api = undefined;
    this.me = undefined;
    this.teams = [];
    this.dms = [];
    this.threadRoot = undefined;
    this.changedKeys = [];
    this.channelDevices.clear();
    await Promise.all(entries.map((e) => e.close().catch(() => undefined)));
    await client?.close();
  }

  /** Signs this device out; with `forget`, also deletes what this browser keeps of the account. */
  async signOut(forget = false): Promise<void> {
    const client = this.client;
    this.leaving = true;
    try {
      await client?.logout();
    } catch {
      // offline or already gone: the session is dropped here all the same
      await this.store?.deleteRecord(RecordKeys.profile).catch(() => undefined);
    }
    await this.stop();
    if (forget) {
      await this.store?.clear();
      localStorage.removeItem(ACTIVE_KEY);
    }
    this.leaving = false;
    await this.signedOut();
  }

  // ---- directory ----------------------------------------------------------------------

  async refreshMe(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const asked = ++this.meAsked;
    try {
      const me = await client.me();
      if (client !== this.client || asked < this.meApplied) return;
      this.meApplied = asked;
      this.applyMe(me);
    } catch (e) {
      if (e instanceof MichatError && e.retryable) return; // offline: the cached view stays
      if (client === this.client) console.warn('michat: me', message(e));
    }
    void this.checkKeys();
  }

  // ---- verification -------------------------------------------------------------------

  /**
   * Looks at the open channel's member devices (the SDK records each key it sees first and
   * any other it is shown later), then reloads the warnings. Runs with every directory look.
   */
  async checkKeys(): Promise<void> {
    const client = this.client;
    const verification = client?.verification;
    if (!verification) return;
    const entry = this.active;
    try {
      if (entry) this.channelDevices.set(entry.key, await verification.channelDevices(entry.channel.id));
      const changed = await verification.changedKeys();
      if (client !== this.client) return;
      this.changedKeys = changed;
      this.changed();
    } catch (e) {
      if (e instanceof MichatError) return; // offline, or the channel is gone: the directory says so
      if (client === this.client) console.warn('michat: keys', message(e));
    }
  }

  /**
   * Marks devices verified at the fingerprints the user compared (through the safety number);
   * a change of key among them is resolved. Refused (Conflict) when a key changed meanwhile.
   */
  async markVerified(devices: Array<Pick<DeviceTrust, 'deviceId' | 'fingerprint'>>): Promise<void> {
    const verification = this.client?.verification;
    if (!verification) throw new Error('End-to-end encryption is off.');
    try {
      for (const d of devices) if (d.fingerprint) await verification.markVerified(d.deviceId, d.fingerprint);
    } finally {
      await this.checkKeys();
    }
  }

  async unverify(devices: Array<Pick<DeviceTrust, 'deviceId'>>): Promise<void> {
    const verification = this.client?.verification;
    if (!verification) return;
    for (const d of devices) await verification.unverify(d.deviceId);
    await this.checkKeys();
  }

  private learnUser(userId: number, username: string): void {
    this.userIds.set(username, userId);
    this.usernames.set(userId, username);
  }

  private applyMe(me: Me): void {
    const client = this.client;
    if (!client) return;
    this.me = me;
    this.learnUser(me.userId, me.username);
    this.teams = me.teams.map((t) => ({ id: t.id, name: t.name, role: t.role, channels: t.channels }));
    this.dms = me.dms ?? [];
    const wanted = new Map<string, { channel: Channel; team: string }>();
    for (const t of me.teams) for (const c of t.channels) if (c.member) wanted.set(c.key, { channel: c, team: t.name });
    for (const c of this.dms) wanted.set(c.key, { channel: c, team: '' });
    const lost: string[] = [];
    for (const [key, entry] of this.channels) {
      if (wanted.has(key)) continue;
      this.channels.delete(key);
      void entry.close();
      if (key === this.activeKey) this.threadRoot = undefined;
      if (!this.departing.delete(key)) lost.push(`#${entry.channel.name}`);
    }
    // Removed, banned, taken out of the team, or left on another device: say so, once.
    if (lost.length) this.notice = { kind: 'info', text: `You are no longer a member of ${lost.join(', ')}.` };
    for (const [key, { channel, team }] of wanted) {
      const existing = this.channels.get(key);
      if (existing) {
        existing.channel = channel;
        existing.teamName = team;
        continue;
      }
      const entry = new ChannelEntry(
        channel,
        team,
        client.channel(key),
        () => this.viewChanged(entry),
        (e) => {
          if (lostAccess(e)) void this.refreshMe(); // the directory says what became of the channel
        },
      );
      this.channels.set(key, entry);
    }
    if (!this.activeKey || !this.channels.has(this.activeKey)) this.activeKey = this.channels.keys().next().value;
    this.changed();
  }

  private viewChanged(entry: ChannelEntry): void {
    if (entry.key === this.activeKey) this.markActiveRead();
    this.changed();
  }

  // ---- navigation ---------------------------------------------------------------------

  get active(): ChannelEntry | undefined {
    return this.activeKey ? this.channels.get(this.activeKey) : undefined;
  }

  username(): string {
    return this.me?.username ?? this.client?.session.username ?? '';
  }

  select(key: string): void {
    if (!this.channels.has(key)) return;
    this.activeKey = key;
    this.threadRoot = undefined;
    localStorage.setItem(ACTIVE_KEY, key);
    this.markActiveRead();
    this.changed();
    void this.checkKeys();
  }

  openThread(rootName: string | undefined): void {
    this.threadRoot = rootName;
    this.changed();
  }

  /** The channel on screen, in a visible tab, counts as read (synced to the user's other devices). */
  private markActiveRead(): void {
    const entry = this.active;
    if (!entry || document.visibilityState !== 'visible' || entry.unread() === 0) return;
    entry.view.markRead();
  }

  channelTitle(ch: Channel): string {
    if (ch.visibility !== 'direct') return ch.name;
    const me = this.username();
    const others = (ch.members ?? []).filter((m) => m !== me);
    return others.length ? others.join(', ') : ch.name;
  }

  // ---- messages -----------------------------------------------------------------------

  private mentionIds(text: string): number[] {
    const ids: number[] = [];
    for (const name of findMentions(text)) {
      const id = this.userIds.get(name);
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  private failed(what: string): (e: unknown) => void {
    return (e) => this.setNotice({ kind: 'error', text: `${what}: ${message(e)}` });
  }

  /** Queues a message (shown at once as pending; sent when a connection is open, also after a reload). */
  send(key: string, text: string, threadRoot?: string): void {
    const entry = this.channels.get(key);
    const trimmed = text.replace(/\s+$/, '');
    if (!entry || !trimmed.trim()) return;
    const mentions = this.mentionIds(trimmed);
    entry.view.send(trimmed, { ...(threadRoot ? { threadRoot } : {}), ...(mentions.length ? { mentions } : {}) }).catch(this.failed('Could not queue the message'));
  }

  edit(key: string, name: string, text: string): void {
    const trimmed = text.trim();
    const entry = this.channels.get(key);
    if (!entry || !trimmed) return;
    const mentions = this.mentionIds(trimmed);
    entry.view.edit(name, trimmed, mentions.length ? { mentions } : {}).catch(this.failed('Could not edit the message'));
  }

  remove(key: string, name: string): void {
    this.channels.get(key)?.view.delete(name).catch(this.failed('Could not delete the message'));
    if (this.threadRoot === name) this.openThread(undefined);
  }

  react(key: string, name: string, emoji: string): void {
    this.channels.get(key)?.view.react(name, emoji).catch(this.failed('Could not react'));
  }

  /** Sends a message the server refused again (it keeps its place and local id). */
  retry(localId: string): void {
    this.client?.retry(localId).catch(this.failed('Still not sent'));
  }

  discard(localId: string): void {
    this.client?.discard(localId).catch(this.failed('Could not discard'));
  }

  typing(key: string): void {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    this.lastTypingSent = now;
    this.client?.typing(key);
  }

  /** Shows older messages (local store first, then the server). */
  async loadOlder(key: string): Promise<void> {
    const entry = this.channels.get(key);
    if (!entry || !entry.more) return;
    try {
      entry.more = (await entry.view.loadOlder(100)).more;
    } catch (e) {
      if (!(e instanceof MichatError && e.retryable)) throw e;
    }
    this.changed();
  }

  // ---- channels -----------------------------------------------------------------------

  private requireApi(): DirectoryApi {
    if (!this.api) throw new Error('not signed in');
    return this.api;
  }

  async join(channel: Channel): Promise<Channel> {
    const result = await this.requireApi().join(channel.id);
    await this.refreshMe();
    if (this.channels.has(result.key)) this.select(result.key);
    return result;
  }

  /** Org admins: a new team, then its first channel `general`, which opens. */
  async createTeam(name: string): Promise<void> {
    const team = await this.requireApi().createTeam(name);
    await this.createChannel(team.id, 'general', 'public');
  }

  async createChannel(teamId: number, name: string, visibility: 'public' | 'private' | 'restricted', topic?: string): Promise<void> {
    const created = await this.requireApi().createChannel(teamId, name, visibility, topic);
    await this.refreshMe();
    this.select(created.key);
  }

  /**
   * Whether the user may change the channel's settings and members: its owner (not a guest),
   * a team owner or admin, or an admin of the team's org (docs/access.md). The server decides.
   */
  canModerate(c: Channel): boolean {
    if (c.visibility === 'direct') return false;
    const role = this.teams.find((t) => t.id === c.teamId)?.role;
    if (role === 'owner' || role === 'admin') return true;
    if (this.me?.orgAdmin && this.me.org.id === c.orgId) return true;
    return c.owner === true && role !== undefined && role !== 'guest';
  }

  async setTopic(channel: Channel, topic: string): Promise<void> {
    await this.updateChannel(channel, { topic: topic.trim() ? topic.trim() : null });
  }

  /** Topic, capacity (null: no limit), archived; the sidebar and header follow. */
  async updateChannel(channel: Channel, change: UpdateChannel): Promise<void> {
    await this.requireApi().updateChannel(channel.id, change);
    await this.refreshMe();
  }

  /** Leaves a channel: it leaves the sidebar (public ones stay in *Browse channels*). */
  async leaveChannel(channel: Channel): Promise<void> {
    this.departing.add(channel.key);
    try {
      await this.requireApi().leave(channel.id);
    } catch (e) {
      this.departing.delete(channel.key);
      throw e;
    }
    await this.refreshMe();
    this.setNotice({ kind: 'info', text: `You left #${channel.name}.` });
  }

  async openDirect(usernames: string[]): Promise<void> {
    const dm = await this.requireApi().openDirect(usernames);
    await this.refreshMe();
    this.select(dm.key);
  }

  /** People to mention or message: team members (or the org's people), plus everyone seen. */
  async people(teamId?: number): Promise<string[]> {
    const names = new Set<string>();
    try {
      const listed = teamId !== undefined ? await this.requireApi().teamMembers(teamId) : await this.requireApi().users();
      for (const u of listed) {
        names.add(u.username);
        this.learnUser(u.userId, u.username);
      }
    } catch (e) {
      if (!isMissingRoute(e) && !(e instanceof MichatError)) throw e;
    }
    for (const u of this.userIds.keys()) names.add(u);
    for (const dm of this.dms) for (const m of dm.members ?? []) names.add(m);
    return [...names].sort();
  }

  // ---- backup -------------------------------------------------------------------------

  /** The whole account on this device (keys included), encrypted under the passphrase. */
  async exportBackup(passphrase: string): Promise<Blob> {
    if (!this.client) throw new Error('not signed in');
    return new Blob([JSON.stringify(await this.client.exportState({ passphrase }))], { type: 'application/json' });
  }

  /** Whether a backup file is encrypted, so the passphrase is asked before `importBackup`. */
  backupNeedsPassphrase(text: string): boolean {
    try {
      return isEncryptedExport(JSON.parse(text));
    } catch {
      return false;
    }
  }

  /**
   * Restores a backup file (decrypted with the passphrase when it is encrypted; older backups
   * are not): into the running account (merged by name), or, signed out, into this browser's
   * store, then signs in with the session it carries.
   */
  async importBackup(text: string, passphrase?: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('This file is not a michat backup (it is not JSON).');
    }
    const data = await readExport(parsed, { passphrase }).catch(rethrowReadable);
    const profile = data.records[RecordKeys.profile] as StoredProfile | undefined;
    if (this.client) {
      const s = this.client.session;
      if (profile && (profile.session.userId !== s.userId || profile.session.orgId !== s.orgId)) throw new Error(`This backup belongs to ${profile.session.username}; sign out first.`);
      await this.client.importState(data).catch(rethrowReadable);
      await this.refreshMe();
      return;
    }
    const store = await this.openStore();
    await store.clear();
    await importState(store, data).catch(rethrowReadable);
    const client = await MichatClient.resume(store, CLIENT_OPTIONS);
    if (!client) throw new Error('The backup holds no account to sign in with.');
    await this.start(client);
  }
}

function rethrowReadable(e: unknown): never {
  if (e instanceof TypeError) throw new Error(`This file is not a michat backup (${e.message}).`);
  if (e instanceof MichatError && e.kind === 'Unauthorized') throw new Error('Wrong passphrase, or the backup file is damaged.');
  if (e instanceof MichatError && e.kind === 'BadRequest') throw new Error(`This backup cannot be opened: ${e.message}.`);
  throw e;
}

function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return `${browser}${os ? ` on ${os}` : ''}`.slice(0, 64);
}
