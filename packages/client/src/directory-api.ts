import { api, type Ban, type Channel, type ChannelMember, type JoinRequest, type Member, type TeamRole, type UpdateChannel, type UserSummary } from '@michat/protocol';
import type { HttpApi } from './http-api.ts';

/**
 * The directory routes beyond the basics on HttpApi: team members and roles, channel
 * settings, leave, members, bans, join requests, direct messages. Stateless like HttpApi:
 * every call takes the access token; failures are MichatErrors with the server's kind.
 * Who may call what: docs/access.md.
 */
export class DirectoryApi {
  private readonly http: HttpApi;

  constructor(http: HttpApi) {
    this.http = http;
  }

  teamMembers(token: string, teamId: number): Promise<Member[]> {
    return this.http.call('GET', `/api/teams/${teamId}/members`, { token, schema: api.MemberList });
  }

  changeTeamRole(token: string, teamId: number, userId: number, role: TeamRole): Promise<void> {
    return this.http.call('PATCH', `/api/teams/${teamId}/members/${userId}`, { token, body: { role } });
  }

  /** Removes a member from the team and all its channels; your own id leaves the team. */
  removeTeamMember(token: string, teamId: number, userId: number): Promise<void> {
    return this.http.call('DELETE', `/api/teams/${teamId}/members/${userId}`, { token });
  }

  channel(token: string, channelId: number): Promise<Channel> {
    return this.http.call('GET', `/api/channels/${channelId}`, { token, schema: api.Channel });
  }

  /** Topic (null clears), capacity (null clears), archived. */
  updateChannel(token: string, channelId: number, update: UpdateChannel): Promise<Channel> {
    return this.http.call('PATCH', `/api/channels/${channelId}`, { token, body: update, schema: api.Channel });
  }

  leaveChannel(token: string, channelId: number): Promise<void> {
    return this.http.call('POST', `/api/channels/${channelId}/leave`, { token });
  }

  channelMembers(token: string, channelId: number): Promise<ChannelMember[]> {
    return this.http.call('GET', `/api/channels/${channelId}/members`, { token, schema: api.ChannelMemberList });
  }

  removeChannelMember(token: string, channelId: number, userId: number): Promise<void> {
    return this.http.call('DELETE', `/api/channels/${channelId}/members/${userId}`, { token });
  }

  /** Asks to join a restricted channel; asking again while it waits returns the same request. */
  askToJoin(token: string, channelId: number): Promise<JoinRequest> {
    return this.http.call('POST', `/api/channels/${channelId}/requests`, { token, schema: api.JoinRequest });
  }

  joinRequests(token: string, channelId: number): Promise<JoinRequest[]> {
    return this.http.call('GET', `/api/channels/${channelId}/requests`, { token, schema: api.JoinRequestList });
  }

  decideJoinRequest(token: string, channelId: number, userId: number, accept: boolean): Promise<void> {
    return this.http.call('POST', `/api/channels/${channelId}/requests/${userId}/${accept ? 'accept' : 'refuse'}`, { token });
  }

  bans(token: string, channelId: number): Promise<Ban[]> {
    return this.http.call('GET', `/api/channels/${channelId}/bans`, { token, schema: api.BanList });
  }

  ban(token: string, channelId: number, userId: number): Promise<void> {
    return this.http.call('PUT', `/api/channels/${channelId}/bans/${userId}`, { token });
  }

  unban(token: string, channelId: number, userId: number): Promise<void> {
    return this.http.call('DELETE', `/api/channels/${channelId}/bans/${userId}`, { token });
  }

  /** The DM with these people (the caller is always in it); a pair's 1:1 DM is always the same channel. */
  openDirect(token: string, usernames: string[]): Promise<Channel> {
    return this.http.call('POST', '/api/dms', { token, body: { usernames }, schema: api.Channel });
  }

  directMessages(token: string): Promise<Channel[]> {
    return this.http.call('GET', '/api/dms', { token, schema: api.ChannelList });
  }

  /** The people the caller may DM: their org and everyone they share a team with. */
  people(token: string): Promise<UserSummary[]> {
    return this.http.call('GET', '/api/users', { token, schema: api.UserList });
  }
}
