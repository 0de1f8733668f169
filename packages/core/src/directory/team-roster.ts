import { MichatError, type TeamRole } from '@michat/protocol';
import { jsonBytes } from '../util/json-bytes.ts';
import type { ChannelRoster } from './channel-roster.ts';
import type { DirStore } from './dir-store.ts';
import { dirKeys, type ChannelRecord, type TeamMembership } from './records.ts';

/**
 * Who is in a team, with which role. Writes run under the directory's mutex, so a team
 * always keeps an owner; leaving a team also leaves every channel of it.
 */
export class TeamRoster {
  private readonly store: DirStore;
  private readonly channels: ChannelRoster;
  private readonly teamChannels: (teamId: number) => Promise<ChannelRecord[]>;

  constructor(store: DirStore, channels: ChannelRoster, teamChannels: (teamId: number) => Promise<ChannelRecord[]>) {
    this.store = store;
    this.channels = channels;
    this.teamChannels = teamChannels;
  }

  async role(teamId: number, userId: number): Promise<TeamRole | undefined> {
    return (await this.store.record<TeamMembership>(dirKeys.teamMember(teamId, userId)))?.role;
  }

  /** Sets a user's role (adding them when new); taking the owner role from the last owner is a Conflict. */
  async setRole(teamId: number, userId: number, role: TeamRole): Promise<void> {
    const value = jsonBytes({ role } satisfies TeamMembership);
    await this.store.writes.run(async () => {
      if (role !== 'owner') await this.keepAnOwner(teamId, userId);
      await this.store.kv.put(dirKeys.teamMember(teamId, userId), value);
      await this.store.kv.put(dirKeys.userTeam(userId, teamId), value);
    });
  }

  /**
   * Removes a user from every channel of a team (each removal heard by the membership
   * listeners, their join requests forgotten), then from the team. Channels go first so an
   * interrupted removal never leaves channel access behind. False when not a member.
   */
  async remove(teamId: number, userId: number): Promise<boolean> {
    const member = await this.store.writes.run(async () => {
      if (!(await this.role(teamId, userId))) return false;
      await this.keepAnOwner(teamId, userId);
      return true;
    });
    if (!member) return false;
    for (const channel of await this.teamChannels(teamId)) {
      await this.channels.remove(channel, userId, 'team-removed');
      await this.channels.dropRequest(channel, userId);
    }
    return this.store.writes.run(async () => {
      await this.keepAnOwner(teamId, userId);
      await this.store.kv.delete(dirKeys.userTeam(userId, teamId));
      return this.store.kv.delete(dirKeys.teamMember(teamId, userId));
    });
  }

  /** Refuses to leave a team without an owner when `userId` loses the owner role; callers hold the mutex. */
  private async keepAnOwner(teamId: number, userId: number): Promise<void> {
    if ((await this.role(teamId, userId)) !== 'owner') return;
    const owners = (await this.store.listById<TeamMembership>(dirKeys.teamMembers(teamId))).filter((m) => m.value.role === 'owner');
    if (owners.length <= 1) throw new MichatError('Conflict', 'a team keeps at least one owner');
  }
}
