import { MichatError, MAX_CHANNEL, MAX_DEVICE, MAX_ORG, MAX_TEAM, type TeamRole, type Visibility } from '@michat/protocol';
import type { KvEntry, KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import { Mutex } from '../util/mutex.ts';
import { jsonBytes, parseJsonBytes, utf8, fromUtf8 } from '../util/json-bytes.ts';
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
 * `putIfAbsent` on their name keys. Channel membership is cached in memory because every
 * publish, subscribe and history read checks it.
 */
export class Directory {
  private readonly kv: KvStore;
  private readonly clock: Clock;
  private readonly hasher: PasswordHasher;
  private readonly writes = new Mutex();
  private readonly channelMembers = new Map<number, Promise<Map<number, ChannelMembership>>>();
  private readonly channels = new Map<number, ChannelRecord>();
  private readonly users = new Map<number, UserRecord>();

  constructor(kv: KvStore, clock: Clock, hasher: PasswordHasher) {
    this.kv = kv;
    this.clock = clock;
    this.hasher = hasher;
  }

  // ---- reads -------------------------------------------------------------------------

  async org(id: number): Promise<OrgRecord | undefined> {
    return this.record<OrgRecord>(dirKeys.org(id));
  }

  async user(id: number): Promise<UserRecord | undefined> {
    const cached = this.users.get(id);
    if (cached) return cached;
    const u = await this.record<UserRecord>(dirKeys.user(id));
    if (u) this.users.set(id, u);
    return u;
  }

  async userByName(username: string): Promise<UserRecord | undefined> {
    const id = await this.idAt(dirKeys.userName(username));
    return id === undefined ? undefined : this.user(id);
  }

  async team(id: number): Promise<TeamRecord | undefined> {
    return this.record<TeamRecord>(dirKeys.team(id));
  }

  async teamByName(orgId: number, name: string): Promise<TeamRecord | undefined> {
    const id = await this.idAt(dirKeys.teamName(orgId, name));
    return id === undefined ? undefined : this.team(id);
  }

  async channel(id: number): Promise<ChannelRecord | undefined> {
    const cached = this.channels.get(id);
    if (cached) return cached;
    const c = await this.record<ChannelRecord>(dirKeys.channel(id));
    if (c) this.channels.set(id, c);
    return c;
  }

  async channelByName(teamId: number, name: string): Promise<ChannelRecord | undefined> {
    const id = await this.idAt(dirKeys.channelName(teamId, name));
    return id === undefined ? undefined : this.channel(id);
  }

  async teamRole(teamId: number, userId: number): Promise<TeamRole | undefined> {
    return (await this.record<TeamMembership>(dirKeys.teamMember(teamId, userId)))?.role;
  }

  async userTeams(userId: number): Promise<Array<{ team: TeamRecord; role: TeamRole }>> {
    const rows = await this.kv.list(dirKeys.userTeams(userId));
    const out: Array<{ team: TeamRecord; role: TeamRole }> = [];
    for (const [key, value] of rows) {
      const team = await this.team(Number(key.slice(key.lastIndexOf('/') + 1)));
      if (team) out.push({ team, role: parseJsonBytes<TeamMembership>(value).role });
    }
    return out;
  }

  async teamChannels(teamId: number): Promise<ChannelRecord[]> {
    const rows = await this.kv.list(dirKeys.teamChannels(teamId));
    const out: ChannelRecord[] = [];
    for (const [key] of rows) {
      const c = await this.channel(Number(key.slice(key.lastIndexOf('/') + 1)));
      if (c) out.push(c);
    }
    return out;
  }

  async teamMembers(teamId: number): Promise<Array<{ user: UserRecord; role: TeamRole }>> {
    const rows = await this.kv.list(dirKeys.teamMembers(teamId));
    const out: Array<{ user: UserRecord; role: TeamRole }> = [];
    for (const [key, value] of rows) {
      const user = await this.user(Number(key.slice(key.lastIndexOf('/') + 1)));
      if (user) out.push({ user, role: parseJsonBytes<TeamMembership>(value).role });
    }
    return out;
  }

  /** The user's membership of a channel, or undefined (cached; every data-plane check uses it). */
  async channelMembership(channelId: number, userId: number): Promise<ChannelMembership | undefined> {
    let members = this.channelMembers.get(channelId);
    if (!members) {
      members = this.kv.list(dirKeys.channelMembers(channelId)).then((rows) => {
        const m = new Map<number, ChannelMembership>();
        for (const [key, value] of rows) m.set(Number(key.slice(key.lastIndexOf('/') + 1)), parseJsonBytes<ChannelMembership>(value));
        return m;
      });
      members.catch(() => this.channelMembers.delete(channelId));
      this.channelMembers.set(channelId, members);
    }
    return (await members).get(userId);
  }

  async device(id: number): Promise<DeviceRecord | undefined> {
    return this.record<DeviceRecord>(dirKeys.device(id));
  }

  /** Whether any organization exists yet (first-run detection). */
  async isEmpty(): Promise<boolean> {
    return (await this.kv.list('d/org/', { limit: 1 })).length === 0;
  }

  // ---- writes ------------------------------------------------------------------------

  createOrg(name: string): Promise<OrgRecord> {
    return this.writes.run(async () => {
      const id = await this.nextId('org', MAX_ORG);
      const org: OrgRecord = { id, name, created: this.clock.now() };
      await this.claim(dirKeys.orgName(name), id, `organization "${name}" exists`, [[dirKeys.org(id), jsonBytes(org)]], 'org');
      return org;
    });
  }

  async createUser(input: { orgId: number; username: string; password: string; orgAdmin?: boolean }): Promise<UserRecord> {
    if (!(await this.org(input.orgId))) throw new MichatError('NotFound', `no organization ${input.orgId}`);
    const passwordHash = await this.hasher.hash(input.password);
    return this.writes.run(async () => {
      const id = await this.nextId('user', MAX_USER);
      const user: UserRecord = { id, orgId: input.orgId, username: input.username, passwordHash, orgAdmin: input.orgAdmin ?? false, created: this.clock.now() };
      await this.claim(dirKeys.userName(input.username), id, `username "${input.username}" is taken`, [[dirKeys.user(id), jsonBytes(user)]], 'user');
      return user;
    });
  }

  /** Creates a team in an organization with `ownerId` as its owner. */
  async createTeam(input: { orgId: number; name: string; ownerId: number }): Promise<TeamRecord> {
    return this.writes.run(async () => {
      const id = await this.nextId('team', MAX_TEAM);
      const team: TeamRecord = { id, orgId: input.orgId, name: input.name, created: this.clock.now() };
      const role = jsonBytes({ role: 'owner' } satisfies TeamMembership);
      await this.claim(dirKeys.teamName(input.orgId, input.name), id, `team "${input.name}" exists`, [
        [dirKeys.team(id), jsonBytes(team)],
        [dirKeys.teamMember(id, input.ownerId), role],
        [dirKeys.userTeam(input.ownerId, id), role],
      ], 'team');
      return team;
    });
  }

  async setTeamRole(teamId: number, userId: number, role: TeamRole): Promise<void> {
    const value = jsonBytes({ role } satisfies TeamMembership);
    await this.writes.run(async () => {
      await this.kv.put(dirKeys.teamMember(teamId, userId), value);
      await this.kv.put(dirKeys.userTeam(userId, teamId), value);
    });
  }

  /** Creates a channel in a team; its creator becomes its owner and first member. */
  async createChannel(input: { team: TeamRecord; name: string; visibility: Visibility; createdBy: number }): Promise<ChannelRecord> {
    const channel = await this.writes.run(async () => {
      const id = await this.nextId('channel', MAX_CHANNEL);
      const c: ChannelRecord = { id, teamId: input.team.id, orgId: input.team.orgId, name: input.name, visibility: input.visibility, createdBy: input.createdBy, created: this.clock.now() };
      await this.claim(dirKeys.channelName(input.team.id, input.name), id, `channel "${input.name}" exists in this team`, [
        [dirKeys.channel(id), jsonBytes(c)],
        [dirKeys.teamChannel(input.team.id, id), new Uint8Array(0)],
        [dirKeys.channelMember(id, input.createdBy), jsonBytes({ owner: true } satisfies ChannelMembership)],
      ], 'channel');
      return c;
    });
    this.channelMembers.delete(channel.id);
    return channel;
  }

  async addChannelMember(channelId: number, userId: number, owner = false): Promise<void> {
    await this.writes.run(() => this.kv.put(dirKeys.channelMember(channelId, userId), jsonBytes({ owner } satisfies ChannelMembership)));
    this.channelMembers.delete(channelId);
  }

  /**
   * Ends a user's membership of a channel; returns whether there was one. The membership
   * cache is dropped too, so the next data-plane check (a heartbeat, sub, sync or publish)
   * already refuses; live subscriptions end at the connection's next heartbeat.
   */
  async removeChannelMember(channelId: number, userId: number): Promise<boolean> {
    const existed = await this.writes.run(() => this.kv.delete(dirKeys.channelMember(channelId, userId)));
    this.channelMembers.delete(channelId);
    return existed;
  }

  async createDevice(userId: number, name: string): Promise<DeviceRecord> {
    return this.writes.run(async () => {
      const id = await this.nextId('device', MAX_DEVICE);
      const device: DeviceRecord = { id, userId, name, created: this.clock.now() };
      await this.claim(dirKeys.device(id), id, 'device id taken', [[dirKeys.userDevice(userId, id), new Uint8Array(0)]], 'device', jsonBytes(device));
      return device;
    });
  }

  // ---- helpers -----------------------------------------------------------------------

  private async record<T>(key: string): Promise<T | undefined> {
    const v = await this.kv.get(key);
    return v ? parseJsonBytes<T>(v) : undefined;
  }

  private async idAt(key: string): Promise<number | undefined> {
    const v = await this.kv.get(key);
    return v ? Number(fromUtf8(v)) : undefined;
  }

  /** The next free id of a kind (ids start at 1); callers hold the write mutex. */
  private async nextId(kind: string, max: number): Promise<number> {
    const last = await this.idAt(dirKeys.counter(kind));
    const id = (last ?? 0) + 1;
    if (id > max) throw new MichatError('Conflict', `no ${kind} ids left (limit ${max})`);
    return id;
  }

  /** Claims a unique key (name → id) and writes the rest atomically, or throws Conflict. */
  private async claim(key: string, id: number, conflict: string, alsoPut: KvEntry[], counterKind: string, value: Uint8Array = utf8(String(id))): Promise<void> {
    const existing = await this.kv.putIfAbsent(key, value, [...alsoPut, [dirKeys.counter(counterKind), utf8(String(id))]]);
    if (existing) throw new MichatError('Conflict', conflict);
  }
}
