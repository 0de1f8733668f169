import { MichatError, type TeamRole } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Directory } from './directory.ts';
import type { ChannelMembership, ChannelRecord, TeamRecord, UserRecord } from './records.ts';

/**
 * Where a user stands in a team. `manager`: a team owner or admin, or an admin of the org
 * that owns the team (who administers it without being in it).
 */
export interface TeamStanding {
  user: UserRecord;
  team: TeamRecord;
  role: TeamRole | undefined;
  manager: boolean;
}

/** Where a user stands in a channel: their team standing, their membership, and whether they moderate it. */
export interface ChannelStanding extends TeamStanding {
  channel: ChannelRecord;
  membership: ChannelMembership | undefined;
  /** The channel owner (unless now a guest) or a team manager. */
  moderator: boolean;
}

/**
 * The role checks of the directory, in one place (default deny): each `require…` throws
 * Forbidden with a message naming what is missing, or NotFound for an unknown id.
 */
export class Authority {
  private readonly dir: Directory;

  constructor(dir: Directory) {
    this.dir = dir;
  }

  async user(who: AccessClaims): Promise<UserRecord> {
    const u = await this.dir.user(who.userId);
    if (!u) throw new MichatError('Unauthorized', 'your account no longer exists');
    return u;
  }

  /** Another user, by id (a path parameter): NotFound when there is none. */
  async userById(id: number): Promise<UserRecord> {
    const u = await this.dir.user(id);
    if (!u) throw new MichatError('NotFound', `no user ${id}`);
    return u;
  }

  async team(who: AccessClaims, teamId: number): Promise<TeamStanding> {
    const team = await this.dir.team(teamId);
    if (!team) throw new MichatError('NotFound', `no team ${teamId}`);
    const user = await this.user(who);
    const role = await this.dir.teamRole(teamId, user.id);
    const orgAdmin = user.orgAdmin && user.orgId === team.orgId;
    return { user, team, role, manager: orgAdmin || role === 'owner' || role === 'admin' };
  }

  /** A team channel and the caller's standing in it; DMs are refused here (their membership is fixed). */
  async channel(who: AccessClaims, channelId: number): Promise<ChannelStanding> {
    const channel = await this.dir.channel(channelId);
    if (!channel) throw new MichatError('NotFound', `no channel ${channelId}`);
    if (channel.visibility === 'direct') throw new MichatError('Forbidden', 'a direct message has fixed members and no settings');
    return this.inChannel(await this.team(who, channel.teamId), channel);
  }

  /** The standing in one of the team's channels, from the standing in its team. */
  async inChannel(standing: TeamStanding, channel: ChannelRecord): Promise<ChannelStanding> {
    const membership = await this.dir.channelMembership(channel.id, standing.user.id);
    const owns = !!membership?.owner && standing.role !== undefined && standing.role !== 'guest';
    return { ...standing, channel, membership, moderator: owns || standing.manager };
  }

  /** In the team, any role. */
  requireTeamMember(s: TeamStanding): TeamRole {
    if (!s.role) throw new MichatError('Forbidden', 'you are not a member of this team');
    return s.role;
  }

  /** In the team, and not a guest. */
  requireFullMember(s: TeamStanding, what: string): void {
    if (this.requireTeamMember(s) === 'guest') throw new MichatError('Forbidden', `guests cannot ${what}`);
  }

  requireManager(s: TeamStanding): void {
    if (!s.manager) throw new MichatError('Forbidden', 'only a team owner or admin (or an org admin) can do this');
  }

  /** Owner roles are given and taken only by a team owner or an org admin of the team's org. */
  requireOwnerPower(s: TeamStanding): void {
    const orgAdmin = s.user.orgAdmin && s.user.orgId === s.team.orgId;
    if (s.role !== 'owner' && !orgAdmin) throw new MichatError('Forbidden', 'only a team owner (or an org admin) can give or take the owner role');
  }

  requireModerator(s: ChannelStanding): void {
    if (!s.moderator) throw new MichatError('Forbidden', 'only the channel owner or a team owner or admin can do this');
  }

  requireChannelMember(s: ChannelStanding): void {
    if (!s.membership) throw new MichatError('Forbidden', 'you are not a member of this channel');
  }

  /**
   * Who may see a team channel (its name, topic and members): its members and moderators;
   * team members see public and restricted ones; guests only restricted ones (to ask in).
   */
  canSee(s: ChannelStanding): boolean {
    if (s.membership || s.moderator) return true;
    if (!s.role) return false;
    if (s.channel.visibility === 'restricted') return true;
    return s.channel.visibility === 'public' && s.role !== 'guest';
  }

  requireCanSee(s: ChannelStanding): void {
    if (!this.canSee(s)) throw new MichatError('Forbidden', s.role ? 'you cannot see this channel' : 'you are not a member of this team');
  }
}
