/**
 * Sets up a benchmark org over the michat HTTP API, as a client would: users created by the
 * admin, a team with one public channel, members joined, sessions from /api/auth/login.
 * Login runs scrypt on purpose (slow), so benchmarks log in a few times and reuse tokens.
 */
import { channelFromKey, encodeFrame, encodeObject, makeName, nameFields, type Channel, type Session } from '@michat/protocol';

export const BENCH_ORG = 'bench';
export const BENCH_ADMIN = 'admin';
export const BENCH_PASSWORD = 'bench password, not a secret';

export class MichatApi {
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }

  async call<T>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async expect<T>(status: number, method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const r = await this.call<T>(method, path, body, token);
    if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** One login is one new device of that user. */
  login(username: string, deviceName?: string): Promise<Session> {
    return this.expect<Session>(200, 'POST', '/api/auth/login', { username, password: BENCH_PASSWORD, ...(deviceName ? { deviceName } : {}) });
  }
}

export interface BenchChannel {
  admin: Session;
  channel: Channel;
}

/** Creates `usernames` (by the admin), team `bench` with public channel `general`, all of them members. */
export async function benchChannel(api: MichatApi, usernames: string[]): Promise<BenchChannel> {
  const admin = await api.login(BENCH_ADMIN, 'bench-admin');
  const token = admin.accessToken;
  const team = await api.expect<{ id: number }>(201, 'POST', '/api/teams', { name: 'bench' }, token);
  const channel = await api.expect<Channel>(201, 'POST', `/api/teams/${team.id}/channels`, { name: 'general' }, token);
  for (const username of usernames) {
    await api.expect(201, 'POST', '/api/users', { username, password: BENCH_PASSWORD }, token);
    const added = await api.call('POST', `/api/teams/${team.id}/members`, { username }, token);
    if (added.status >= 300) throw new Error(`add ${username} to team: ${added.status} ${JSON.stringify(added.body)}`);
  }
  return { admin, channel };
}

/** Joins `session`'s user to the channel (idempotent for an existing member). */
export async function join(api: MichatApi, channel: Channel, session: Session): Promise<void> {
  const r = await api.call('POST', `/api/channels/${channel.id}/join`, undefined, session.accessToken);
  if (r.status !== 200) throw new Error(`join ${session.username}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** The channel prefix (72 bits) to subscribe to. */
export function channelName(channel: Channel): Uint8Array {
  const prefix = channelFromKey(channel.key);
  if (!prefix) throw new Error(`bad channel key ${channel.key}`);
  return prefix.name;
}

/** A `pub` frame with a text object from `device`, number `seq`, whose JSON payload is `text`. */
export function pubFrame(channel: Uint8Array, device: number, seq: number, id: number, text: string): Uint8Array {
  const name = makeName({ ...nameFields(channel), device, seq });
  const obj = encodeObject({ name, created: Date.now(), keyEpoch: 0 }, new TextEncoder().encode(JSON.stringify({ type: 'text', text })));
  return encodeFrame({ t: 'pub', id, obj: obj.bytes });
}
