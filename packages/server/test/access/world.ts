import type { Channel, ClientFrame, ErrorKind, ServerFrame, Session } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import type { Fixture } from '../fixture.ts';
import type { Role } from './scenario.ts';

/** The server answered a typed error: the operation was refused. */
export class Refused extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(`${kind}: ${message}`);
    this.kind = kind;
  }
}

/** Users made once per server; every World puts the team roles into a fresh team. */
export interface Cast {
  roles: Record<Role, Session>;
  /** A team member whom operations act on (added, removed, banned, DMed). */
  target: Session;
  /** In the org, not in the team: a user to add. */
  spare: Session;
  /** Another org, no team in common. */
  stranger: Session;
}

let worlds = 0;

/**
 * One cell's world: a new team made by the org admin for the team owner, with the team
 * admin, member, guest, channel owner and target in it. The org admin and the outsider are
 * not in it. Scenarios add a channel (owned by the channel owner) with `openChannel`.
 */
export class World {
  readonly f: Fixture;
  readonly cast: Cast;
  teamId = 0;
  channel: Channel | undefined;
  private readonly clients: RawClient[] = [];

  private constructor(f: Fixture, cast: Cast) {
    this.f = f;
    this.cast = cast;
  }

  static async create(f: Fixture, cast: Cast): Promise<World> {
    const w = new World(f, cast);
    const owner = cast.roles['team owner'];
    const team = (await w.call(f.admin, 'POST', '/api/teams', { name: `team${++worlds}`, owner: owner.username })) as { id: number };
    w.teamId = team.id;
    const add: Array<[Session, string]> = [[cast.roles['team admin'], 'admin'], [cast.roles['team member'], 'member'], [cast.roles.guest, 'guest'], [cast.roles['channel owner'], 'member'], [cast.target, 'member']];
    for (const [user, role] of add) await w.call(owner, 'POST', `/api/teams/${team.id}/members`, { username: user.username, role });
    return w;
  }

  as(role: Role): Session {
    return this.cast.roles[role];
  }

  /** The channel under test (after openChannel). */
  get ch(): Channel {
    if (!this.channel) throw new Error('the scenario opened no channel');
    return this.channel;
  }

  /**
   * Makes the channel under test as the channel owner; `members` are added by them: the
   * team roles (owner, admin, member, guest) and the target, or nobody else.
   */
  async openChannel(visibility: 'public' | 'private' | 'restricted', members: 'team' | 'nobody' = 'nobody'): Promise<Channel> {
    const owner = this.as('channel owner');
    this.channel = (await this.call(owner, 'POST', `/api/teams/${this.teamId}/channels`, { name: 'room', visibility })) as Channel;
    if (members === 'team') {
      for (const u of [this.as('team owner'), this.as('team admin'), this.as('team member'), this.as('guest'), this.cast.target]) {
        await this.call(owner, 'POST', `/api/channels/${this.channel.id}/members`, { username: u.username });
      }
    }
    return this.channel;
  }

  /** An HTTP call: its body when 2xx, Refused on a typed error, a plain Error on anything else. */
  async call(who: Session, method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.f.api<{ error?: { kind: ErrorKind; message: string } }>(method, path, body, who.accessToken);
    if (res.status >= 200 && res.status < 300) return res.body;
    if (res.body?.error) throw new Refused(res.body.error.kind, res.body.error.message);
    throw new Error(`${method} ${path}: ${res.status} without a typed error`);
  }

  /** A data-plane connection, closed when the cell ends. */
  async connect(who: Session): Promise<RawClient> {
    const c = await RawClient.connect(this.f.server.wsUrl, who.accessToken);
    this.clients.push(c);
    return c;
  }

  /** A data-plane request: its answer, or Refused when it is an `err`. */
  async request(c: RawClient, frame: ClientFrame & { id: number }): Promise<ServerFrame> {
    const answer = await c.request(frame);
    if (answer.t === 'err') throw new Refused(answer.kind, answer.msg);
    return answer;
  }

  /** Sends frames without ids, then a ping: Refused when an `err` came back before the pong. */
  async unanswered(c: RawClient, ...frames: ClientFrame[]): Promise<ServerFrame[]> {
    const from = c.received.length;
    for (const frame of frames) c.send(frame);
    await c.request({ t: 'ping', id: 1_000_000 + from });
    const got = c.received.slice(from);
    const err = got.find((fr) => fr.t === 'err');
    if (err?.t === 'err') throw new Refused(err.kind, err.msg);
    return got;
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}
