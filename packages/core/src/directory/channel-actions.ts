import { MichatError, type Channel, type UpdateChannel, type Visibility } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Authority, ChannelStanding } from './authority.ts';
import { channelView } from './channel-view.ts';
import type { Directory } from './directory.ts';
import type { DirectMessageActions } from './dm-actions.ts';

/**
 * Team channels: list, create, settings (topic, capacity, archive), join and leave.
 * Members of the team but guests create channels and join public ones; the channel owner
 * and team managers change settings; every member may leave.
 */
export class ChannelActions {
  private readonly dir: Directory;
  private readonly auth: Authority;
  private readonly dms: DirectMessageActions;

  constructor(dir: Directory, auth: Authority, dms: DirectMessageActions) {
    this.dir = dir;
    this.auth = auth;
    this.dms = dms;
  }

  /** The team's channels the caller can see, with their member/owner/request flags. */
  async list(who: AccessClaims, teamId: number): Promise<Channel[]> {
    const s = await this.auth.team(who, teamId);
    if (!s.manager) this.auth.requireTeamMember(s);
    const out: Channel[] = [];
    for (const c of await this.dir.teamChannels(teamId)) {
      const cs = await this.auth.inChannel(s, c);
      if (this.auth.canSee(cs)) out.push(await this.view(cs));
    }
    return out;
  }

  /** A channel the caller can see; a direct message for its members only. */
  async get(who: AccessClaims, channelId: number): Promise<Channel> {
    const record = await this.dir.channel(channelId);
    if (record?.visibility === 'direct') {
      if (!(await this.dir.channelMembership(record.id, who.userId))) throw new MichatError('Forbidden', 'you are not in this direct message');
      return this.dms.view(record);
    }
    const s = await this.auth.channel(who, channelId);
    this.auth.requireCanSee(s);
    return this.view(s);
  }

  async create(who: AccessClaims, teamId: number, input: { name: string; visibility: Visibility; topic?: string | undefined; capacity?: number | undefined }): Promise<Channel> {
    const s = await this.auth.team(who, teamId);
    this.auth.requireFullMember(s, 'create channels');
    const channel = await this.dir.createChannel({
      team: s.team,
      name: input.name,
      visibility: input.visibility,
      createdBy: s.user.id,
      ...(input.topic !== undefined ? { topic: input.topic } : {}),
      ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
    });
    return channelView(channel, { member: true, owner: true });
  }

  /** Topic/MOTD, capacity and archiving: the channel owner and team managers. */
  async update(who: AccessClaims, channelId: number, update: UpdateChannel): Promise<Channel> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireModerator(s);
    const channel = await this.dir.updateChannel(channelId, update);
    return this.view({ ...s, channel });
  }

  /**
   * Joins a public channel (not guests). On a restricted channel it asks to join instead
   * (anyone in the team) and answers the channel with its `request` flag; already a member
   * is a no-op.
   */
  async join(who: AccessClaims, channelId: number): Promise<Channel> {
    const s = await this.auth.channel(who, channelId);
    if (s.membership) return this.view(s);
    if (s.channel.visibility === 'restricted') {
      this.auth.requireTeamMember(s);
      const request = await this.dir.roster.ask(s.channel, s.user.id);
      return channelView(s.channel, { member: false, request: request.state });
    }
    this.auth.requireFullMember(s, 'join channels; a channel owner or team admin adds them');
    if (s.channel.visibility === 'private') throw new MichatError('Forbidden', 'this channel is invite-only');
    await this.dir.roster.add(s.channel, s.user.id);
    return channelView(s.channel, { member: true });
  }

  async leave(who: AccessClaims, channelId: number): Promise<void> {
    const s = await this.auth.channel(who, channelId);
    this.auth.requireChannelMember(s);
    await this.dir.roster.remove(s.channel, s.user.id, 'left');
  }

  /** The channel as the standing's user sees it. */
  async view(s: ChannelStanding): Promise<Channel> {
    const request = s.membership || s.channel.visibility !== 'restricted' ? undefined : await this.dir.roster.request(s.channel.id, s.user.id);
    return channelView(s.channel, { member: !!s.membership, owner: !!s.membership?.owner, ...(request ? { request: request.state } : {}) });
  }
}
