import type { Me } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import { Authority } from './authority.ts';
import { ChannelActions } from './channel-actions.ts';
import { ChannelMemberActions } from './channel-member-actions.ts';
import type { Directory } from './directory.ts';
import { DirectMessageActions } from './dm-actions.ts';
import { JoinRequestActions } from './join-request-actions.ts';
import { meView } from './me-view.ts';
import { TeamActions } from './team-actions.ts';
import { UserActions } from './user-actions.ts';

export { channelPrefixHex, channelView } from './channel-view.ts';

/**
 * Directory operations on behalf of a signed-in user, each checked against their roles
 * (default deny; the checks live in Authority). The HTTP API is a thin layer over these;
 * docs/access.md is the table of who may do what, and a test holds this code to it.
 */
export class DirectoryActions {
  readonly users: UserActions;
  readonly teams: TeamActions;
  readonly channels: ChannelActions;
  readonly members: ChannelMemberActions;
  readonly requests: JoinRequestActions;
  readonly dms: DirectMessageActions;
  private readonly dir: Directory;

  constructor(dir: Directory) {
    const auth = new Authority(dir);
    this.dir = dir;
    this.users = new UserActions(dir, auth);
    this.teams = new TeamActions(dir, auth);
    this.dms = new DirectMessageActions(dir, auth);
    this.channels = new ChannelActions(dir, auth, this.dms);
    this.members = new ChannelMemberActions(dir, auth);
    this.requests = new JoinRequestActions(dir, auth);
  }

  me(who: AccessClaims): Promise<Me> {
    return meView(this.dir, who, this.channels, this.dms);
  }
}
