import { checkPassword } from '../auth/password-rules.ts';
import { MichatError, MAX_CHANNEL, MAX_DEVICE, MAX_ORG, MAX_TEAM, type TeamRole, type UpdateChannel, type Visibility } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import { jsonBytes } from '../util/json-bytes.ts';
import { ChannelRoster } from './channel-roster.ts';
import { DirStore } from './dir-store.ts';
import { DirectMessages } from './direct-messages.ts';
import { TeamRoster } from './team-roster.ts';
import { MembershipEvents, type MembershipEndReason, type MembershipListener } from './membership-events.ts';
import {
  dirKeys,
  type ChannelMembership,
  type ChannelRecord,
  type DeviceRecord,
  type OrgRecord,
  type TeamMembership,
  type TeamRecord,
  type UserRecord,
} from './records.ts';

const MAX_USER = 0xffffffff;

/**
 * Organizations, users, teams, channels, memberships and devices, stored as JSON records
 * in the KV store under `d/`. Writes are serialized on this node; names are unique through
 * `putIfAbsent` on their name keys. Who is in a channel lives in `roster`, who is in a team
 * in `teams`, direct messages in `directs`. Role checks are DirectoryActions'; this layer keeps the data consistent.
 */
export class Directory {
  readonly roster: ChannelRoster;
  readonly teams: TeamRoster;
  readonly directs: DirectMessages;
  private readonly store: DirStore;
  private readonly hasher: PasswordHasher;
  private readonly events = new MembershipEvents();
  private readonly channels = new Map<number, ChannelRecord>();
  private readonly users = new Map<number, UserRecord>();
  private readonly changeListeners = new Set<(change: DirectoryChange) => void>();

  constructor(kv: KvStore, clock: Clock, hasher: PasswordHasher) {
    this.store = new DirStore(kv, clock);
    this.hasher = hasher;
    this.roster = new ChannelRoster(this.store, this.events, (channelId) => this.changed({ channelId, members: true }));
    this.teams = new TeamRoster(this.store, this.roster, (teamId) => this.teamChannels(teamId));
    this.directs = new DirectMessages(this.store, (id) => this.channel(id));
  }

  /**
   * Hears of every membership that ends (leave, remove, ban, team removal), after it is
   * durable: the node ends that user's live subscriptions to the channel. Returns the remover.
   */
  onMembershipRemoved(listener: MembershipListener): () => void {
    return this.events.on(listener);
  }

  /**
   * Hears of every change this node makes to what the directory caches (a channel's record
   * or members), after it is written: cluster mode tells the other nodes. Returns the remover.
   */
  onChanged(listener: (change: DirectoryChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(change: DirectoryChange): void {
    for (const listener of this.changeListeners) listener(change);
  }

  /** Drops what is cached of a channel another node changed. */
  forgetChange(change: DirectoryChange): void {
    this.channels.delete(change.channelId);
    if (change.members) this.roster.forget(change.channelId);
  }

  /** Drops every cache (changes made elsewhere may have gone unheard). Users are immutable and stay. */
  forgetAll(): void {
    this.channels.clear();
    this.roster.forgetAll();
  }

  // ---- reads -------------------------------------------------------------------------

  org(id: number): Promise<OrgRecord | undefined> {
    return this.store.record<OrgRecord>(dirKeys.org(id));
  }

  async user(id: number): Promise<UserRecord | undefined> {
    const cached = this.users.get(id);
    if (cached) return cached;
    const u = await this.store.record<UserRecord>(dirKeys.user(id));
    if (u) this.users.set(id, u);
    return u;
  }

  /** Every user (a scan: fine while a deployment holds thousands, not millions). */
  /** Every organization (few: the member tool lists them). */
  async allOrgs(): Promise<OrgRecord[]> {
    return (await this.store.listById<OrgRecord>('d/org/')).map((r) => r.value);
  }

  async allUsers(): Promise<UserRecord[]> {
    return (await this.store.listById<UserRecord>(dirKeys.users())).map((r) => r.value);
  }

  async userByName(username: string): Promise<UserRecord | undefined> {
    const id = await this.store.idAt(dirKeys.userName(username));
    return id === undefined ? undefined : this.user(id);
  }

  team(id: number): Promise<TeamRecord | undefined> {
    return this.store.record<TeamRecord>(dirKeys.team(id));
  }

  async teamByName(orgId: number, name: string): Promise<TeamRecord | undefined> {
    const id = await this.store.idAt(dirKeys.teamName(orgId, name));
    return id === undefined ? undefined : this.team(id);
  }

  async channel(id: number): Promise<ChannelRecord | undefined> {
    const cached = this.channels.get(id);
    if (cached) return cached;
    const c = await this.store.record<ChannelRecord>(dirKeys.channel(id));
    if (c) this.channels.set(id, c);
    return c;
  }

  async channelByName(teamId: number, name: string): Promise<ChannelRecord | undefined> {
    const id = await this.store.idAt(dirKeys.channelName(teamId, name));
    return id === undefined ? undefined : this.channel(id);
  }

  teamRole(teamId: number, userId: number): Promise<TeamRole | undefined> {
    return this.teams.role(teamId, userId);
  }

  async userTeams(userId: number): Promise<Array<{ team: TeamRecord; role: TeamRole }>> {
    const out: Array<{ team: TeamRecord; role: TeamRole }> = [];
    for (const { id, value } of await this.store.listById<TeamMembership>(dirKeys.userTeams(userId))) {
      const team = await this.team(id);
      if (team) out.push({ team, role: value.role });
    }
    return out;
  }

  async teamChannels(teamId: number): Promise<ChannelRecord[]> {
    const out: ChannelRecord[] = [];
    for (const { id } of await this.store.listById<undefined>(dirKeys.teamChannels(teamId))) {
      const c = await this.channel(id);
      if (c) out.push(c);
    }
    return out;
  }

  async teamMembers(teamId: number): Promise<Array<{ user: UserRecord; role: TeamRole }>> {
    const out: Array<{ user: UserRecord; role: TeamRole }> = [];
    for (const { id, value } of await this.store.listById<TeamMembership>(dirKeys.teamMembers(teamId))) {
      const user = await this.user(id);
      if (user) out.push({ user, role: value.role });
    }
    return out;
  }

  /** The user's membership of a channel, or undefined (cached; every data-plane check uses it). */
  channelMembership(channelId: number, userId: number): Promise<ChannelMembership | undefined> {
    return this.roster.membership(channelId, userId);
  }

  /** The user ids of a channel's members, ascending. */
  async channelMemberIds(channelId: number): Promise<number[]> {
    return [...(await this.roster.members(channelId)).keys()].sort((a, b) => a - b);
  }

  device(id: number): Promise<DeviceRecord | undefined> {
    return this.store.record<DeviceRecord>(dirKeys.device(id));
  }

  /** Whether any organization exists yet (first-run detection). */
  async isEmpty(): Promise<boolean> {
    return (await this.store.kv.list('d/org/', { limit: 1 })).length === 0;
  }

  // ---- writes ------------------------------------------------------------------------

  createOrg(name: string): Promise<OrgRecord> {
    return this.store.writes.run(async () => {
      const id = await this.store.nextId('org', MAX_ORG);
      const org: OrgRecord = { id, name, created: this.store.clock.now() };
      await this.store.claim(dirKeys.orgName(name), id, `organization "${name}" exists`, [[dirKeys.org(id), jsonBytes(org)]], 'org');
      return org;
    });
  }

  async createUser(input: { orgId: number; username: string; password: string; orgAdmin?: boolean; relay?: boolean }): Promise<UserRecord> {
    if (!(await this.org(input.orgId))) throw new MichatError('NotFound', `no organization ${input.orgId}`);
    // Every way users are made (API, invites, setup, the member tool) meets the same rules.
    checkPassword(input.password, input.username);
    const passwordHash = await this.hasher.hash(input.password);
    return this.store.writes.run(async () => {
      const id = await this.store.nextId('user', MAX_USER);
      const user: UserRecord = { id, orgId: input.orgId, username: input.username, passwordHash, orgAdmin: input.orgAdmin ?? false, created: this.store.clock.now(), ...(input.relay ? { relay: true } : {}) };
      await this.store.claim(dirKeys.userName(input.username), id, `username "${input.username}" is taken`, [[dirKeys.user(id), jsonBytes(user)]], 'user');
      return user;
    });
  }

  /** Creates a team in an organization with `ownerId` as its owner. */
  createTeam(input: { orgId: number; name: string; ownerId: number }): Promise<TeamRecord> {
    return this.store.writes.run(async () => {
      const id = await this.store.nextId('team', MAX_TEAM);
      const team: TeamRecord = { id, orgId: input.orgId, name: input.name, created: this.store.clock.now() };
      const role = jsonBytes({ role: 'owner' } satisfies TeamMembership);
      await this.store.claim(dirKeys.teamName(input.orgId, input.name), id, `team "${input.name}" exists`, [
        [dirKeys.team(id), jsonBytes(team)],
        [dirKeys.teamMember(id, input.ownerId), role],
        [dirKeys.userTeam(input.ownerId, id), role],
      ], 'team');
      return team;
    });
  }

  /** Sets a user's team role, adding them when new (see TeamRoster). */
  setTeamRole(teamId: number, userId: number, role: TeamRole): Promise<void> {
    return this.teams.setRole(teamId, userId, role);
  }

  /** Removes a user from a team and its channels (see TeamRoster); false when not in it. */
  removeTeamMember(teamId: number, userId: number): Promise<boolean> {
    return this.teams.remove(teamId, userId);
  }

  /** Creates a team channel; its creator becomes its owner and first member. */
  async createChannel(input: { team: TeamRecord; name: string; visibility: Visibility; createdBy: number; topic?: string; capacity?: number }): Promise<ChannelRecord> {
    const channel = await this.store.writes.run(async () => {
      const id = await this.store.nextId('channel', MAX_CHANNEL);
      const c: ChannelRecord = {
        id,
        teamId: input.team.id,
        orgId: input.team.orgId,
        name: input.name,
        visibility: input.visibility,
        createdBy: input.createdBy,
        created: this.store.clock.now(),
        ...(input.topic ? { topic: input.topic } : {}),
        ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
      };
      await this.store.claim(dirKeys.channelName(input.team.id, input.name), id, `channel "${input.name}" exists in this team`, [
        [dirKeys.channel(id), jsonBytes(c)],
        [dirKeys.teamChannel(input.team.id, id), new Uint8Array(0)],
        [dirKeys.channelMember(id, input.createdBy), jsonBytes({ owner: true } satisfies ChannelMembership)],
      ], 'channel');
      return c;
    });
    this.roster.forget(channel.id);
    return channel;
  }

  /**
   * Changes a channel's topic, capacity or archived flag (null clears). A capacity below the
   * current member count is refused (Conflict): it could never be met without removals.
   */
  updateChannel(channelId: number, update: UpdateChannel): Promise<ChannelRecord> {
    return this.store.writes.run(async () => {
      const current = await this.store.record<ChannelRecord>(dirKeys.channel(channelId));
      if (!current) throw new MichatError('NotFound', `no channel ${channelId}`);
      const next: ChannelRecord = { ...current };
      if (update.topic === null || update.topic === '') delete next.topic;
      else if (update.topic !== undefined) next.topic = update.topic;
      if (update.capacity === null) delete next.capacity;
      else if (update.capacity !== undefined) {
        const count = (await this.store.kv.list(dirKeys.channelMembers(channelId))).length;
        if (update.capacity < count) throw new MichatError('Conflict', `the channel has ${count} members; capacity cannot be lower`);
        next.capacity = update.capacity;
      }
      if (update.archived === true) next.archived = true;
      else if (update.archived === false) delete next.archived;
      await this.store.kv.put(dirKeys.channel(channelId), jsonBytes(next));
      this.channels.set(channelId, next);
      this.changed({ channelId, members: false });
      return next;
    });
  }

  /** Opens (or finds, for a pair) a direct message; see DirectMessages. */
  async openDirect(orgId: number, creatorId: number, others: number[]): Promise<{ channel: ChannelRecord; created: boolean }> {
    const opened = await this.directs.open(orgId, creatorId, others);
    this.roster.forget(opened.channel.id);
    this.changed({ channelId: opened.channel.id, members: true });
    return opened;
  }

  /** Ends a membership by channel id (see ChannelRoster.remove); false when there was none. */
  async removeChannelMember(channelId: number, userId: number, reason: MembershipEndReason = 'removed'): Promise<boolean> {
    const channel = await this.channel(channelId);
    return channel ? this.roster.remove(channel, userId, reason) : false;
  }

  async createDevice(userId: number, name: string): Promise<DeviceRecord> {
    return this.store.writes.run(async () => {
      const id = await this.store.nextId('device', MAX_DEVICE);
      const device: DeviceRecord = { id, userId, name, created: this.store.clock.now() };
      await this.store.claim(dirKeys.device(id), id, 'device id taken', [[dirKeys.userDevice(userId, id), new Uint8Array(0)]], 'device', jsonBytes(device));
      return device;
    });
  }
}

/** A change to what every node caches of a channel: its record, or also its members. */
export interface DirectoryChange {
  channelId: number;
  members: boolean;
}
