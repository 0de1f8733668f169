import { HttpApi, MichatError, type Channel, type MichatClient, type Session } from '@michat/client';
import type { CreatedInvite, JoinRequest, Member, SignedInDevice } from '@michat/protocol';

/**
 * The control-plane calls the app makes beyond the SDK's own, in one place: the seam where
 * routes that are still landing on the server are wired. A route the server lacks answers
 * NotFound "no route …"; `isMissingRoute` lets the UI say "not available on this server".
 */
interface Schema<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false };
}
const any = <T>(): Schema<T> => ({ safeParse: (v) => ({ success: true, data: v as T }) });

export type { SignedInDevice as DeviceView, CreatedInvite } from '@michat/protocol';

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
  constructor(client: MichatClient) {
    this.client = client;
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

  updateChannel(channelId: number, change: { topic?: string | null }): Promise<Channel> {
    return this.call('PATCH', `/api/channels/${channelId}`, change);
  }

  leave(channelId: number): Promise<void> {
    return this.call('POST', `/api/channels/${channelId}/leave`, undefined, false);
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
