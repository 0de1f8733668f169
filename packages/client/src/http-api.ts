import {
  MichatError,
  api,
  type Channel,
  type CreatedInvite,
  type DeviceInfo,
  type ErrorKind,
  type ImportResult,
  type Invite,
  type Me,
  type Session,
  type SignedInDevice,
  type Team,
  type TeamRole,
  type Visibility,
} from '@michat/protocol';

/** Anything with zod's safeParse shape; responses are checked before the app sees them. */
interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

const KIND_BY_STATUS: Record<number, ErrorKind> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'TooLarge',
  429: 'RateLimited',
  502: 'Unavailable',
  503: 'Unavailable',
  504: 'Unavailable',
};

const CreatedUser: Schema<{ userId: number; username: string }> = {
  safeParse(v) {
    const o = v as { userId?: unknown; username?: unknown } | null;
    return o && Number.isInteger(o.userId) && typeof o.username === 'string'
      ? { success: true, data: { userId: o.userId as number, username: o.username } }
      : { success: false };
  },
};

const ChannelList: Schema<Channel[]> = {
  safeParse(v) {
    if (!Array.isArray(v)) return { success: false };
    const out: Channel[] = [];
    for (const item of v) {
      const r = api.Channel.safeParse(item);
      if (!r.success) return { success: false };
      out.push(r.data);
    }
    return { success: true, data: out };
  },
};

/**
 * The control plane over HTTP JSON (stateless: callers pass the access token). Every failure
 * becomes a MichatError with the server's kind and retry delay; unreachable servers are
 * `Unavailable` (retryable).
 */
export class HttpApi {
  readonly baseUrl: string;

  constructor(serverUrl: string) {
    this.baseUrl = serverUrl.replace(/\/+$/, '');
  }

  login(username: string, password: string, deviceName?: string): Promise<Session> {
    return this.call('POST', '/api/auth/login', { body: { username, password, ...(deviceName !== undefined ? { deviceName } : {}) }, schema: api.Session });
  }

  /** Exchanges a refresh token (single-use: it is spent either way) for a new session. */
  refresh(refreshToken: string): Promise<Session> {
    return this.call('POST', '/api/auth/refresh', { body: { refreshToken }, schema: api.Session });
  }

  /** Ends this session and signs its device out. */
  logout(refreshToken: string): Promise<void> {
    return this.call('POST', '/api/auth/logout', { body: { refreshToken } });
  }

  /** Creates an account with an invite code; answers its first session (a new device). */
  register(code: string, username: string, password: string, deviceName?: string): Promise<Session> {
    return this.call('POST', '/api/auth/register', { body: { code, username, password, ...(deviceName !== undefined ? { deviceName } : {}) }, schema: api.Session });
  }

  /** Signs out every device of the caller: no refresh works afterwards and their sockets close. */
  logoutEverywhere(token: string): Promise<void> {
    return this.call('POST', '/api/auth/logout-everywhere', { token });
  }

  /** Changes the caller's password; their other devices are signed out, this one stays. */
  changePassword(token: string, oldPassword: string, newPassword: string): Promise<void> {
    return this.call('POST', '/api/auth/password', { token, body: { old: oldPassword, new: newPassword } });
  }

  /** The devices the caller (or, for an org admin, `userId`) is signed in on, with their last use. */
  devices(token: string, userId?: number): Promise<SignedInDevice[]> {
    return this.call('GET', `/api/devices${userId !== undefined ? `?userId=${userId}` : ''}`, { token, schema: api.SignedInDeviceList });
  }

  /** Signs a device out (its sockets close, its tokens stop working). */
  revokeDevice(token: string, deviceId: number): Promise<void> {
    return this.call('DELETE', `/api/devices/${deviceId}`, { token });
  }

  /** An invite to the caller's org (or into a team, with a role); the code is in the answer only. */
  createInvite(token: string, invite: { teamId?: number; role?: TeamRole; maxUses?: number; expiresInMs?: number } = {}): Promise<CreatedInvite> {
    return this.call('POST', '/api/invites', { token, body: invite, schema: api.CreatedInvite });
  }

  invites(token: string, teamId?: number): Promise<Invite[]> {
    return this.call('GET', `/api/invites${teamId !== undefined ? `?teamId=${teamId}` : ''}`, { token, schema: api.InviteList });
  }

  revokeInvite(token: string, inviteId: string): Promise<void> {
    return this.call('DELETE', `/api/invites/${encodeURIComponent(inviteId)}`, { token });
  }

  me(token: string): Promise<Me> {
    return this.call('GET', '/api/me', { token, schema: api.Me });
  }

  createUser(token: string, username: string, password: string): Promise<{ userId: number; username: string }> {
    return this.call('POST', '/api/users', { token, body: { username, password }, schema: CreatedUser });
  }

  createTeam(token: string, name: string): Promise<Team> {
    return this.call('POST', '/api/teams', { token, body: { name }, schema: api.Team });
  }

  addTeamMember(token: string, teamId: number, username: string, role: TeamRole): Promise<void> {
    return this.call('POST', `/api/teams/${teamId}/members`, { token, body: { username, role } });
  }

  importObjects(token: string, channelId: number, objects: string[]): Promise<ImportResult> {
    return this.call('POST', `/api/channels/${channelId}/import`, { token, body: { objects }, schema: api.ImportResult });
  }

  teamChannels(token: string, teamId: number): Promise<Channel[]> {
    return this.call('GET', `/api/teams/${teamId}/channels`, { token, schema: ChannelList });
  }

  createChannel(token: string, teamId: number, name: string, visibility: Visibility): Promise<Channel> {
    return this.call('POST', `/api/teams/${teamId}/channels`, { token, body: { name, visibility }, schema: api.Channel });
  }

  joinChannel(token: string, channelId: number): Promise<Channel> {
    return this.call('POST', `/api/channels/${channelId}/join`, { token, schema: api.Channel });
  }

  addChannelMember(token: string, channelId: number, username: string): Promise<void> {
    return this.call('POST', `/api/channels/${channelId}/members`, { token, body: { username } });
  }

  device(token: string, deviceId: number): Promise<DeviceInfo> {
    return this.call('GET', `/api/devices/${deviceId}`, { token, schema: api.DeviceInfo });
  }

  /** One request. Without a schema the response body is ignored (204 routes). */
  async call<T = void>(method: string, path: string, options: { token?: string; body?: unknown; schema?: Schema<T> } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (e) {
      throw new MichatError('Unavailable', `cannot reach ${this.baseUrl}: ${(e as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw httpError(res, text);
    if (!options.schema) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new MichatError('Internal', `${method} ${path}: the server answered something that is not JSON`);
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) throw new MichatError('Internal', `${method} ${path}: unexpected response shape`);
    return parsed.data;
  }
}

/** The typed error body when there is one; otherwise a kind guessed from the status. */
function httpError(res: Response, text: string): MichatError {
  const header = Number(res.headers.get('retry-after'));
  const headerMs = Number.isFinite(header) && header > 0 ? header * 1000 : undefined;
  try {
    const parsed = api.ApiError.safeParse(JSON.parse(text));
    if (parsed.success) {
      const { kind, message, retryAfterMs } = parsed.data.error;
      return new MichatError(kind, message, retryAfterMs ?? headerMs);
    }
  } catch {
    // not JSON: a proxy or load balancer answered
  }
  const kind = KIND_BY_STATUS[res.status] ?? (res.status >= 500 ? 'Internal' : 'BadRequest');
  return new MichatError(kind, `HTTP ${res.status} ${res.statusText}`.trim(), headerMs);
}
