import { MichatError, type JoinRequest } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Authority } from './authority.ts';
import type { Directory } from './directory.ts';
import type { JoinRequestRecord, UserRecord } from './records.ts';

/**
 * Restricted channels: anyone in the team, guests included, asks to join; the channel
 * owner or a team manager accepts (a member) or refuses (refused for good) each request.
 */
export class JoinRequestActions {
  private readonly dir: Directory;
  private readonly auth: Authority;

  constructor(dir: Directory, auth: Authority) {
    this.dir = dir;
    this.auth = auth;
  }

  /** Asks to join; asking again while it waits returns the same request. */
  async ask(who: AccessClaims, channelId: number): Promise<{ request: JoinRequest; created: boolean }> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireTeamMember(s);
    if (s.channel.visibility === 'public') throw new MichatError('BadRequest', 'this channel is public: join it instead');
    if (s.channel.visibility === 'private') throw new MichatError('Forbidden', 'this channel is invite-only');
    const before = await this.dir.roster.request(channelId, s.user.id);
    const request = await this.dir.roster.ask(s.channel, s.user.id);
    return { request: await this.view(channelId, s.user, request), created: !before };
  }

  async list(who: AccessClaims, channelId: number): Promise<JoinRequest[]> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireModerator(s);
    const out: JoinRequest[] = [];
    for (const { userId, request } of await this.dir.roster.requests(channelId)) {
      const user = await this.dir.user(userId);
      if (user) out.push(await this.view(channelId, user, request));
    }
    return out;
  }

  /** Accepts (within capacity, never a banned user) or refuses a request. */
  async decide(who: AccessClaims, channelId: number, userId: number, accept: boolean): Promise<void> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireModerator(s);
    const target = await this.auth.userById(userId);
    if (accept && !(await this.dir.teamRole(s.team.id, target.id))) throw new MichatError('NotFound', `${target.username} is not a member of this team`);
    await this.dir.roster.decide(s.channel, target.id, accept, s.user.id);
  }

  private async view(channelId: number, user: UserRecord, r: JoinRequestRecord): Promise<JoinRequest> {
    const decider = r.decidedBy === undefined ? undefined : await this.dir.user(r.decidedBy);
    return { channelId, userId: user.id, username: user.username, state: r.state, asked: r.asked, ...(decider ? { decidedBy: decider.username } : {}) };
  }
}
