import { MichatError, type DeviceInfo, type UserSummary } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Authority } from './authority.ts';
import type { Directory } from './directory.ts';

/** Whether two users are in at least one team together. */
export async function shareATeam(dir: Directory, a: number, b: number): Promise<boolean> {
  const mine = new Set((await dir.userTeams(a)).map((t) => t.team.id));
  return (await dir.userTeams(b)).some((t) => mine.has(t.team.id));
}

/** Users: org admins create them in their org; a device's owner is visible to team mates. */
export class UserActions {
  private readonly dir: Directory;
  private readonly auth: Authority;

  constructor(dir: Directory, auth: Authority) {
    this.dir = dir;
    this.auth = auth;
  }

  async create(who: AccessClaims, username: string, password: string): Promise<{ userId: number; username: string }> {
    const admin = await this.auth.user(who);
    if (!admin.orgAdmin) throw new MichatError('Forbidden', 'only an organization admin can create users');
    const user = await this.dir.createUser({ orgId: admin.orgId, username, password });
    return { userId: user.id, username: user.username };
  }

  /** The people the caller may DM: their org, and everyone they share a team with. */
  async list(who: AccessClaims): Promise<UserSummary[]> {
    const me = await this.auth.user(who);
    const teammates = new Set<number>();
    for (const { team } of await this.dir.userTeams(me.id)) for (const { user } of await this.dir.teamMembers(team.id)) teammates.add(user.id);
    return (await this.dir.allUsers()).filter((u) => u.orgId === me.orgId || teammates.has(u.id)).map((u) => ({ userId: u.id, username: u.username, orgId: u.orgId }));
  }

  /** Who owns a device: only for users who share a team with its owner (else NotFound, as if absent). */
  async device(who: AccessClaims, deviceId: number): Promise<DeviceInfo> {
    const device = await this.dir.device(deviceId);
    const owner = device && (await this.dir.user(device.userId));
    if (!device || !owner) throw new MichatError('NotFound', `no device ${deviceId}`);
    if (owner.id !== who.userId && !(await shareATeam(this.dir, who.userId, owner.id))) throw new MichatError('NotFound', `no device ${deviceId}`);
    return { deviceId, userId: owner.id, username: owner.username };
  }
}
