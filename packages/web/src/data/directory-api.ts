import { DirectoryApi as SdkDirectoryApi, HttpApi, MichatError, type Channel, type MichatClient, type Session } from '@michat/client';
import type { Ban, ChannelMember, CreatedInvite, JoinRequest, Member, SignedInDevice, UpdateChannel } from '@michat/protocol';

/**
 * The control-plane calls the app makes beyond the SDK's own, in one place: the seam where
 * routes that are still landing on the server are wired. A route the server lacks answers
 * NotFound "no route …"; `isMissingRoute` lets the UI say "not available on this server".
 */
interface Schema<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false };
}
const any = <T>(): Schema<T> => ({ safeParse: (v) => ({ success: true, data: v as T }) });

export type { SignedInDevice as DeviceView, CreatedInvite, Ban, ChannelMember, UpdateChannel } from '@michat/protocol';

export function isMissingRoute(e: unknown): boolean {
  return e instanceof MichatError && e.kind === 'NotFound' && /^no route /.test(e.message);
}

/** Calls that need no session: first run, invites, sign-in. */
export class PublicApi {
  readonly http: HttpApi;
  constructor(serverUrl: string) {
    this.http = new HttpApi(serverUrl);
  }

  /** Whether the server still waits for its first organization (undefined: it cannot say). */
  async setupStatus(): Promise<{ needed: boolean } | undefined> {
    try {
      return await this.http.call('GET', '/api/setup', { schema: any<{ needed: boolean }>() });
    } catch (e) {
      if (isMissingRoute(e)) return undefined;
      throw e;
    }
  }

  setup(org: string, username: string, password: string): Promise<Session> {
    return this.http.call('POST', '/api/setup', { body: { org, username, password }, schema: any<Session>() });
  }

  register(code: string, username: string, password: string, deviceName: string): Promise<Session> {
    return this.http.call('POST', '/api/auth/register', { body: { code, username, password, deviceName }, schema: any<Session>() });
  }

  login(username: string, password: string, deviceName: string): Promise<Session> {
    return this.http.login(username, password, deviceName);
  }
}

/** Directory and account calls for the signed-in user. */
export class DirectoryApi {
  private readonly client: MichatClient;
  /** The SDK's wrappers of the channel routes (responses checked against the protocol's schemas). */
  private readonly sdk: SdkDirectoryApi;
  constructor(client: MichatClient) {
    this.client = client;
    this.sdk = new SdkDirectoryApi(client.http);
  }

  /** An SDK call with the current access token, retried once after a refresh when refused. */
  private async authed<T>(run: (token: string) => Promise<T>): Promise<T> {
    try {
      return await run(this.client.session.accessToken);
    } catch (e) {
      if (!(e instanceof MichatError) || e.kind !== 'Unauthorized') throw e;
      await this.client.refreshSession();
      return run(this.client.session.accessToken);
    }
  }

  private async call<T = void>(method: string, path: string, body?: unknown, withResult = true): Promise<T> {
    const run = () =>
      this.client.http.call<T>(method, path, {
        token: this.client.session.accessToken,
        ...(body !== undefined ? { body } : {}),
        ...(withResult ? { schema: any<T>() } : {}),
      });
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof MichatError) || e.kind !== 'Unauthorized') throw e;
      await this.client.refreshSession();
      return run();
    }
  }

  teamChannels(teamId: number): Promise<Channel[]> {
    return this.client.teamChannels(teamId);
  }

  teamMembers(teamId: number): Promise<Member[]> {
    return this.call('GET', `/api/teams/${teamId}/members`);
  }

  createTeam(name: string): Promise<{ id: number }> {
    return this.call('POST', '/api/teams', { name });
  }

  addTeamMember(teamId: number, username: string): Promise<void> {
    return this.call('POST', `/api/teams/${teamId}/members`, { username }, false);
  }

  createChannel(teamId: number, name: string, visibility: 'public' | 'private' | 'restricted', topic?: string): Promise<Channel> {
    return this.call('POST', `/api/teams/${teamId}/channels`, { name, visibility, ...(topic ? { topic } : {}) });
  }

  /** Public: joins. Restricted: files a join request (the channel comes back with `request: 'pending'`). */
  join(channelId: number): Promise<Channel> {
    return this.call('POST', `/api/channels/${channelId}/join`);
  }

  joinRequests(channelId: number): Promise<JoinRequest[]> {
    return this.call('GET', `/api/channels/${channelId}/requests`);
  }

  decideRequest(channelId: number, userId: number, accept: boolean): Promise<void> {
    return this.call('POST', `/api/channels/${channelId}/requests/${userId}/${accept ? 'accept' : 'refuse'}`, undefined, false);
  }

  /** Topic (null clears), capacity (null clears), archived: the channel's moderators (docs/access.md). */
  updateChannel(channelId: number, change: UpdateChannel): Promise<Channel> {
    return this.authed((t) => this.sdk.updateChannel(t, channelId, change));
  }

  leave(channelId: number): Promise<void> {
    return this.authed((t) => this.sdk.leaveChannel(t, channelId));
  }

  channelMembers(channelId: number): Promise<ChannelMember[]> {
    return this.authed((t) => this.sdk.channelMembers(t, channelId));
  }

  /** Adds someone of the channel's team (moderators). */
  addMember(channelId: number, username: string): Promise<void> {
    return this.client.addChannelMember(channelId, username);
  }

  removeMember(channelId: number, userId: number): Promise<void> {
    return this.authed((t) => this.sdk.removeChannelMember(t, channelId, userId));
  }

  bans(channelId: number): Promise<Ban[]> {
    return this.authed((t) => this.sdk.bans(t, channelId));
  }

  ban(channelId: number, userId: number): Promise<void> {
    return this.authed((t) => this.sdk.ban(t, channelId, userId));
  }

  unban(channelId: number, userId: number): Promise<void> {
    return this.authed((t) => this.sdk.unban(t, channelId, userId));
  }

  openDirect(usernames: string[]): Promise<Channel> {
    return this.call('POST', '/api/dms', { usernames });
  }

  users(): Promise<Array<{ userId: number; username: string }>> {
    return this.call('GET', '/api/users');
  }

  createUser(username: string, password: string): Promise<{ userId: number; username: string }> {
    return this.client.createUser(username, password);
  }

  devices(): Promise<SignedInDevice[]> {
    return this.call('GET', '/api/devices');
  }

  revokeDevice(deviceId: number): Promise<void> {
    return this.call('DELETE', `/api/devices/${deviceId}`, undefined, false);
  }

  logoutEverywhere(): Promise<void> {
    return this.call('POST', '/api/auth/logout-everywhere', undefined, false);
  }

  createInvite(teamId?: number): Promise<CreatedInvite> {
    return this.call('POST', '/api/invites', teamId !== undefined ? { teamId, maxUses: 10 } : { maxUses: 10 });
  }
}
