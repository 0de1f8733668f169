import { MAX_DM_PEOPLE, MichatError, type Channel } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Authority } from './authority.ts';
import { channelView } from './channel-view.ts';
import type { Directory } from './directory.ts';
import type { ChannelRecord, UserRecord } from './records.ts';
import { shareATeam } from './user-actions.ts';

/**
 * Direct messages (1:1 and groups of up to MAX_DM_PEOPLE): a user may DM the people of
 * their org and anyone they share a team with. A pair has one DM; asking again returns it.
 */
export class DirectMessageActions {
  private readonly dir: Directory;
  private readonly auth: Authority;

  constructor(dir: Directory, auth: Authority) {
    this.dir = dir;
    this.auth = auth;
  }

  async open(who: AccessClaims, usernames: string[]): Promise<{ channel: Channel; created: boolean }> {
    const me = await this.auth.user(who);
    const others = new Map<number, UserRecord>();
    for (const name of new Set(usernames)) {
      const user = await this.dir.userByName(name);
      if (!user) throw new MichatError('NotFound', `no user "${name}"`);
      if (user.id !== me.id) others.set(user.id, user);
    }
    if (others.size === 0) throw new MichatError('BadRequest', 'a direct message needs someone besides you');
    if (others.size + 1 > MAX_DM_PEOPLE) throw new MichatError('BadRequest', `a direct message has at most ${MAX_DM_PEOPLE} people`);
    for (const user of others.values()) {
      if (user.orgId !== me.orgId && !(await shareATeam(this.dir, me.id, user.id))) {
        throw new MichatError('Forbidden', `you share no team or organization with ${user.username}`);
      }
    }
    const { channel, created } = await this.dir.openDirect(me.orgId, me.id, [...others.keys()]);
    return { channel: await this.view(channel), created };
  }

  async list(who: AccessClaims): Promise<Channel[]> {
    const me = await this.auth.user(who);
    return Promise.all((await this.dir.directs.ofUser(me.id)).map((c) => this.view(c)));
  }

  async view(c: ChannelRecord): Promise<Channel> {
    const people = await Promise.all((c.people ?? []).map((id) => this.dir.user(id)));
    return channelView(c, { member: true, members: people.flatMap((u) => (u ? [u.username] : [])) });
  }
}
