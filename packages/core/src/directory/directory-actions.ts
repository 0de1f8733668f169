import { MichatError, makeName, toHex, type Channel, type Me, type TeamRole, type Visibility } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Directory } from './directory.ts';
import type { ChannelRecord, TeamRecord } from './records.ts';

const TEAM_MANAGERS: ReadonlySet<TeamRole> = new Set(['owner', 'admin']);

/** The hex key of a channel's 72-bit prefix (the first 18 hex digits of its names). */
export function channelPrefixHex(c: ChannelRecord): string {
  return toHex(makeName({ kind: 1, org: c.orgId, team: c.teamId, channel: c.id, device: 0, seq: 0 })).slice(0, 18);
}

export function channelView(c: ChannelRecord, member?: boolean): Channel {
  return { id: c.id, teamId: c.teamId, orgId: c.orgId, name: c.name, visibility: c.visibility, key: channelPrefixHex(c), ...(member !== undefined ? { member } : {}) };
}

/**
 * Directory operations on behalf of a signed-in user, each checked against their roles
 * (default deny). The HTTP API is a thin layer over these.
 */
export class DirectoryActions {
  private readonly dir: Directory;

  constructor(dir: Directory) {
    this.dir = dir;
  }

  async me(who: AccessClaims): Promise<Me> {
    const user = await this.mustUser(who.userId);
    const org = await this.dir.org(user.orgId);
    if (!org) throw new MichatError('NotFound', 'your organization is gone');
    const teams = await Promise.all(
      (await this.dir.userTeams(user.id)).map(async ({ team, role }) => ({
        id: team.id,
        orgId: team.orgId,
        name: team.name,
        role,
        channels: await this.visibleChannels(team.id, user.id, role),
      })),
    );
    return { userId: user.id, username: user.username, org: { id: org.id, name: org.name }, orgAdmin: user.orgAdmin, deviceId: who.deviceId, teams };
  }

  async createUser(who: AccessClaims, username: string, password: string): Promise<{ userId: number; username: string }> {
    const admin = await this.mustUser(who.userId);
    if (!admin.orgAdmin) throw new MichatError('Forbidden', 'only an organization admin can create users');
    const user = await this.dir.createUser({ orgId: admin.orgId, username, password });
    return { userId: user.id, username: user.username };
  }

  async createTeam(who: AccessClaims, name: string): Promise<TeamRecord> {
    const user = await this.mustUser(who.userId);
    if (!user.orgAdmin) throw new MichatError('Forbidden', 'only an organization admin can create teams');
    return this.dir.createTeam({ orgId: user.orgId, name, ownerId: user.id });
  }

  async addTeamMember(who: AccessClaims, teamId: number, username: string, role: TeamRole): Promise<void> {
    const team = await this.mustTeam(teamId);
    await this.requireTeamManager(who, team);
    if (role === 'owner' && (await this.dir.teamRole(teamId, who.userId)) !== 'owner') throw new MichatError('Forbidden', 'only an owner can add owners');
    const target = await this.dir.userByName(username);
    if (!target) throw new MichatError('NotFound', `no user "${username}"`);
    await this.dir.setTeamRole(teamId, target.id, role);
  }

  async teamChannels(who: AccessClaims, teamId: number): Promise<Channel[]> {
    const role = await this.requireTeamMember(who, teamId);
    return this.visibleChannels(teamId, who.userId, role);
  }

  async createChannel(who: AccessClaims, teamId: number, name: string, visibility: Visibility): Promise<Channel> {
    const team = await this.mustTeam(teamId);
    const role = await this.requireTeamMember(who, teamId);
    if (role === 'guest') throw new MichatError('Forbidden', 'guests cannot create channels');
    return channelView(await this.dir.createChannel({ team, name, visibility, createdBy: who.userId }), true);
  }

  async joinChannel(who: AccessClaims, channelId: number): Promise<Channel> {
    const channel = await this.mustChannel(channelId);
    const role = await this.requireTeamMember(who, channel.teamId);
    if (channel.visibility !== 'public' || role === 'guest') throw new MichatError('Forbidden', 'this channel is invite-only');
    await this.dir.addChannelMember(channelId, who.userId);
    return channelView(channel, true);
  }

  async addChannelMember(who: AccessClaims, channelId: number, username: string): Promise<void> {
    const channel = await this.mustChannel(channelId);
    const myRole = await this.requireTeamMember(who, channel.teamId);
    const mine = await this.dir.channelMembership(channelId, who.userId);
    if (!mine?.owner && !TEAM_MANAGERS.has(myRole)) throw new MichatError('Forbidden', 'only the channel owner or a team admin can add members');
    const target = await this.dir.userByName(username);
    if (!target || !(await this.dir.teamRole(channel.teamId, target.id))) throw new MichatError('NotFound', `"${username}" is not a member of this team`);
    await this.dir.addChannelMember(channelId, target.id);
  }

  /** Who owns a device: only for users who share a team with its owner. */
  async device(who: AccessClaims, deviceId: number): Promise<{ deviceId: number; userId: number; username: string }> {
    const device = await this.dir.device(deviceId);
    const owner = device && (await this.dir.user(device.userId));
    if (!device || !owner) throw new MichatError('NotFound', `no device ${deviceId}`);
    if (owner.id !== who.userId) {
      const mine = new Set((await this.dir.userTeams(who.userId)).map((t) => t.team.id));
      const shared = (await this.dir.userTeams(owner.id)).some((t) => mine.has(t.team.id));
      if (!shared) throw new MichatError('NotFound', `no device ${deviceId}`);
    }
    return { deviceId, userId: owner.id, username: owner.username };
  }

  private async visibleChannels(teamId: number, userId: number, role: TeamRole): Promise<Channel[]> {
    const out: Channel[] = [];
    for (const c of await this.dir.teamChannels(teamId)) {
      const member = !!(await this.dir.channelMembership(c.id, userId));
      if (member || (c.visibility === 'public' && role !== 'guest')) out.push(channelView(c, member));
    }
    return out;
  }

  private async requireTeamMember(who: AccessClaims, teamId: number): Promise<TeamRole> {
    const role = await this.dir.teamRole(teamId, who.userId);
    if (!role) throw new MichatError('Forbidden', 'you are not a member of this team');
    return role;
  }

  private async requireTeamManager(who: AccessClaims, team: TeamRecord): Promise<void> {
    const role = await this.dir.teamRole(team.id, who.userId);
    const user = await this.mustUser(who.userId);
    const orgAdmin = user.orgAdmin && user.orgId === team.orgId;
    if (!orgAdmin && !(role && TEAM_MANAGERS.has(role))) throw new MichatError('Forbidden', 'only a team owner or admin can do this');
  }

  private async mustUser(id: number) {
    const u = await this.dir.user(id);
    if (!u) throw new MichatError('Unauthorized', 'your account no longer exists');
    return u;
  }

  private async mustTeam(id: number): Promise<TeamRecord> {
    const t = await this.dir.team(id);
    if (!t) throw new MichatError('NotFound', `no team ${id}`);
    return t;
  }

  private async mustChannel(id: number): Promise<ChannelRecord> {
    const c = await this.dir.channel(id);
    if (!c) throw new MichatError('NotFound', `no channel ${id}`);
    return c;
  }
}
