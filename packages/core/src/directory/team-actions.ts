import { MichatError, type Member, type Team, type TeamRole } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Authority } from './authority.ts';
import type { Directory } from './directory.ts';
import type { UserRecord } from './records.ts';

/**
 * Teams and their members. Org admins make teams; team managers (owner, admin, or an org
 * admin of the team's org) add, remove and re-role members, users of other orgs included;
 * only owners and org admins give or take the owner role; anyone may leave.
 */
export class TeamActions {
  private readonly dir: Directory;
  private readonly auth: Authority;

  constructor(dir: Directory, auth: Authority) {
    this.dir = dir;
    this.auth = auth;
  }

  /** A team in the caller's org, owned by `ownerName` (default: the caller). */
  async create(who: AccessClaims, name: string, ownerName?: string): Promise<Team> {
    const user = await this.auth.user(who);
    if (!user.orgAdmin) throw new MichatError('Forbidden', 'only an organization admin can create teams');
    const owner = ownerName === undefined ? user : await this.target(ownerName);
    const team = await this.dir.createTeam({ orgId: user.orgId, name, ownerId: owner.id });
    return { id: team.id, orgId: team.orgId, name: team.name, ...(owner.id === user.id ? { role: 'owner' as const } : {}) };
  }

  async members(who: AccessClaims, teamId: number): Promise<Member[]> {
    const s = await this.auth.team(who, teamId);
    if (!s.manager) this.auth.requireTeamMember(s);
    return (await this.dir.teamMembers(teamId)).map(({ user, role }) => ({ userId: user.id, username: user.username, role }));
  }

  async add(who: AccessClaims, teamId: number, username: string, role: TeamRole): Promise<void> {
    const s = await this.auth.team(who, teamId);
    this.auth.requireManager(s);
    if (role === 'owner') this.auth.requireOwnerPower(s);
    const target = await this.target(username);
    if (await this.dir.teamRole(teamId, target.id)) throw new MichatError('Conflict', `${username} is already in this team; change their role instead`);
    await this.dir.setTeamRole(teamId, target.id, role);
  }

  async changeRole(who: AccessClaims, teamId: number, userId: number, role: TeamRole): Promise<void> {
    const s = await this.auth.team(who, teamId);
    this.auth.requireManager(s);
    const target = await this.auth.userById(userId);
    const current = await this.dir.teamRole(teamId, target.id);
    if (!current) throw new MichatError('NotFound', `${target.username} is not in this team`);
    if (role === 'owner' || current === 'owner') this.auth.requireOwnerPower(s);
    if (current !== role) await this.dir.setTeamRole(teamId, target.id, role);
  }

  /** Removes a member from the team and all its channels; removing yourself is leaving. */
  async remove(who: AccessClaims, teamId: number, userId: number): Promise<void> {
    const s = await this.auth.team(who, teamId);
    const target = await this.auth.userById(userId);
    const self = target.id === s.user.id;
    if (!self) this.auth.requireManager(s);
    const current = await this.dir.teamRole(teamId, target.id);
    if (!current) throw new MichatError('NotFound', `${target.username} is not in this team`);
    if (current === 'owner' && !self) this.auth.requireOwnerPower(s);
    await this.dir.removeTeamMember(teamId, target.id);
  }

  private async target(username: string): Promise<UserRecord> {
    const user = await this.dir.userByName(username);
    if (!user) throw new MichatError('NotFound', `no user "${username}"`);
    return user;
  }
}
