import { MichatError, type CreateInviteRequest, type Invite, type Session, type TeamRole } from '@michat/protocol';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../directory/directory.ts';
import type { TeamRecord, UserRecord } from '../directory/records.ts';
import { hashCode, type InviteRecord, type InviteStore } from './invite-store.ts';
import { checkPassword } from './password-rules.ts';
import { randomHex, randomToken } from './secrets.ts';
import type { SessionService } from './session-service.ts';
import type { AccessClaims } from './token-service.ts';

/** 18 random bytes: 144 bits, 24 characters of base64url. */
const INVITE_CODE_BYTES = 18;
const TEAM_MANAGERS: ReadonlySet<TeamRole> = new Set(['owner', 'admin']);

/**
 * Invites: an org admin invites into the org, a team owner or admin into their team (with a
 * role). Registering with a code creates the account and signs it in; an unknown, revoked,
 * expired or used-up code is refused with a typed error and changes nothing.
 */
export class Invites {
  private readonly directory: Directory;
  private readonly store: InviteStore;
  private readonly sessions: SessionService;
  private readonly clock: Clock;

  constructor(deps: { directory: Directory; store: InviteStore; sessions: SessionService; clock: Clock }) {
    this.directory = deps.directory;
    this.store = deps.store;
    this.sessions = deps.sessions;
    this.clock = deps.clock;
  }

  /** A new invite and its code (shown this once). */
  async create(who: AccessClaims, req: CreateInviteRequest): Promise<{ invite: Invite; code: string }> {
    const me = await this.mustUser(who.userId);
    let role: TeamRole | undefined;
    if (req.teamId === undefined) {
      if (req.role !== undefined) throw new MichatError('BadRequest', 'role: only with teamId');
      if (!me.orgAdmin) throw new MichatError('Forbidden', 'only an organization admin can invite into the organization without a team');
    } else {
      const team = await this.mustTeam(me, req.teamId);
      const myRole = await this.requireTeamManager(me, team);
      role = req.role ?? 'member';
      // As with adding members: only an owner (or the org admin) makes owners.
      if (role === 'owner' && myRole !== 'owner' && !me.orgAdmin) throw new MichatError('Forbidden', 'only a team owner or the organization admin can invite owners');
    }
    const code = randomToken(INVITE_CODE_BYTES);
    const now = this.clock.now();
    const record: InviteRecord = {
      id: randomHex(8),
      orgId: me.orgId,
      ...(req.teamId !== undefined ? { teamId: req.teamId } : {}),
      ...(role !== undefined ? { role } : {}),
      createdBy: me.id,
      created: now,
      expiresAt: now + req.expiresInMs,
      maxUses: req.maxUses,
      codeHash: await hashCode(code),
    };
    await this.store.create(record);
    return { invite: view(record, 0), code };
  }

  /**
   * The invites the caller manages: all of the org's for an org admin, else those of teams
   * they own or administer. Asking for one team's (`teamId`) needs managing that team.
   */
  async list(who: AccessClaims, teamId?: number): Promise<Invite[]> {
    const me = await this.mustUser(who.userId);
    if (teamId !== undefined) await this.requireTeamManager(me, await this.mustTeam(me, teamId));
    const out: Invite[] = [];
    for (const invite of await this.store.listOrg(me.orgId)) {
      if (teamId !== undefined && invite.teamId !== teamId) continue;
      if (!(await this.manages(me, invite))) continue;
      out.push(view(invite, await this.store.uses(invite)));
    }
    return out.sort((a, b) => a.created - b.created);
  }

  /** Deletes an invite: its code opens nothing from now on. Accounts made with it stay. */
  async revoke(who: AccessClaims, inviteId: string): Promise<void> {
    const me = await this.mustUser(who.userId);
    const invite = await this.store.get(me.orgId, inviteId);
    if (!invite || !(await this.manages(me, invite))) throw new MichatError('NotFound', `no invite ${inviteId}`);
    await this.store.delete(invite);
  }

  /** Creates the account the code invites (in its org, and team with its role) and signs it in on a new device. */
  async register(input: { code: string; username: string; password: string; deviceName?: string | undefined }): Promise<Session> {
    const invite = await this.store.byCode(input.code);
    if (!invite) throw new MichatError('NotFound', 'unknown or revoked invite code');
    if (invite.expiresAt <= this.clock.now()) throw new MichatError('Expired', 'this invite has expired; ask for a new one');
    if ((await this.store.uses(invite)) >= invite.maxUses) throw new MichatError('Conflict', 'this invite has been used up');
    checkPassword(input.password, input.username);
    if (await this.directory.userByName(input.username)) throw new MichatError('Conflict', `username "${input.username}" is taken`);
    const team = invite.teamId === undefined ? undefined : await this.directory.team(invite.teamId);
    if (invite.teamId !== undefined && !team) throw new MichatError('NotFound', 'the team of this invite no longer exists');
    const use = await this.store.claimUse(invite);
    if (use === undefined) throw new MichatError('Conflict', 'this invite has been used up');
    let user: UserRecord;
    try {
      user = await this.directory.createUser({ orgId: invite.orgId, username: input.username, password: input.password });
    } catch (e) {
      await this.store.releaseUse(invite, use); // the username was taken meanwhile: the use was not spent
      throw e;
    }
    if (team) await this.directory.setTeamRole(team.id, user.id, invite.role ?? 'member');
    return this.sessions.openNewDevice(user, input.deviceName);
  }

  private async manages(me: UserRecord, invite: InviteRecord): Promise<boolean> {
    if (me.orgAdmin && me.orgId === invite.orgId) return true;
    if (invite.teamId === undefined) return false;
    const role = await this.directory.teamRole(invite.teamId, me.id);
    return role !== undefined && TEAM_MANAGERS.has(role);
  }

  private async requireTeamManager(me: UserRecord, team: TeamRecord): Promise<TeamRole | undefined> {
    const role = await this.directory.teamRole(team.id, me.id);
    if ((me.orgAdmin && me.orgId === team.orgId) || (role && TEAM_MANAGERS.has(role))) return role;
    throw new MichatError('Forbidden', 'only an organization admin or a team owner or admin can invite into this team');
  }

  private async mustTeam(me: UserRecord, teamId: number): Promise<TeamRecord> {
    const team = await this.directory.team(teamId);
    if (!team || team.orgId !== me.orgId) throw new MichatError('NotFound', `no team ${teamId}`);
    return team;
  }

  private async mustUser(id: number): Promise<UserRecord> {
    const user = await this.directory.user(id);
    if (!user) throw new MichatError('Unauthorized', 'your account no longer exists');
    return user;
  }
}

function view(invite: InviteRecord, uses: number): Invite {
  const { codeHash: _secretless, ...rest } = invite;
  return { ...rest, uses };
}
