import { MichatError, type Me } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { ChannelActions } from './channel-actions.ts';
import type { Directory } from './directory.ts';
import type { DirectMessageActions } from './dm-actions.ts';

/** `GET /api/me`: who the caller is, their teams with the channels they can see, and their DMs. */
export async function meView(dir: Directory, who: AccessClaims, channels: ChannelActions, dms: DirectMessageActions): Promise<Me> {
  const user = await dir.user(who.userId);
  if (!user) throw new MichatError('Unauthorized', 'your account no longer exists');
  const org = await dir.org(user.orgId);
  if (!org) throw new MichatError('NotFound', 'your organization is gone');
  const teams = await Promise.all(
    (await dir.userTeams(user.id)).map(async ({ team, role }) => ({
      id: team.id,
      orgId: team.orgId,
      name: team.name,
      role,
      channels: await channels.list(who, team.id),
    })),
  );
  return { userId: user.id, username: user.username, org: { id: org.id, name: org.name }, orgAdmin: user.orgAdmin, deviceId: who.deviceId, teams, dms: await dms.list(who) };
}
