import { MichatError, type Ban, type ChannelMember } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Authority, ChannelStanding } from './authority.ts';
import type { Directory } from './directory.ts';
import type { UserRecord } from './records.ts';

/**
 * Who is in a team channel, as moderated by its owner and the team managers: add (team
 * members only, within capacity, never a banned user), remove, ban and unban. Removing
 * yourself is leaving. Guests moderate nothing, even a channel they once created.
 */
export class ChannelMemberActions {
  private readonly dir: Directory;
  private readonly auth: Authority;

  constructor(dir: Directory, auth: Authority) {
    this.dir = dir;
    this.auth = auth;
  }

  async list(who: AccessClaims, channelId: number): Promise<ChannelMember[]> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireCanSee(s);
    const out: ChannelMember[] = [];
    for (const [userId, m] of await this.dir.roster.members(channelId)) {
      const user = await this.dir.user(userId);
      if (user) out.push({ userId, username: user.username, owner: m.owner });
    }
    return out.sort((a, b) => a.userId - b.userId);
  }

  /** Adds a member of the team (any role, guests included); already a member is a no-op. */
  async add(who: AccessClaims, channelId: number, username: string): Promise<void> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireModerator(s);
    const target = await this.teamMember(s, username);
    await this.dir.roster.add(s.channel, target.id);
  }

  async remove(who: AccessClaims, channelId: number, userId: number): Promise<void> {
    const s = await this.auth.channel(who, channelId);
    const target = await this.auth.userById(userId);
    if (target.id !== s.user.id) this.auth.requireModerator(s);
    if (!(await this.dir.channelMembership(channelId, target.id))) throw new MichatError('NotFound', `${target.username} is not a member of this channel`);
    await this.dir.roster.remove(s.channel, target.id, target.id === s.user.id ? 'left' : 'removed');
  }

  /** Removes the user and refuses their later joins, requests and adds until unbanned. */
  async ban(who: AccessClaims, channelId: number, userId: number): Promise<void> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireModerator(s);
    const target = await this.auth.userById(userId);
    if (target.id === s.user.id) throw new MichatError('BadRequest', 'you cannot ban yourself');
    await this.dir.roster.ban(s.channel, target.id, s.user.id);
  }

  async unban(who: AccessClaims, channelId: number, userId: number): Promise<void> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireModerator(s);
    const target = await this.auth.userById(userId);
    if (!(await this.dir.roster.unban(s.channel, target.id))) throw new MichatError('NotFound', `${target.username} is not banned here`);
  }

  async bans(who: AccessClaims, channelId: number): Promise<Ban[]> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireModerator(s);
    const out: Ban[] = [];
    for (const { userId, ban } of await this.dir.roster.bans(channelId)) {
      const [user, by] = [await this.dir.user(userId), await this.dir.user(ban.by)];
      if (user) out.push({ userId, username: user.username, bannedBy: by?.username ?? 'unknown', at: ban.at });
    }
    return out;
  }

  private async teamMember(s: ChannelStanding, username: string): Promise<UserRecord> {
    const user = await this.dir.userByName(username);
    if (!user || !(await this.dir.teamRole(s.team.id, user.id))) throw new MichatError('NotFound', `"${username}" is not a member of this team`);
    return user;
  }
}
