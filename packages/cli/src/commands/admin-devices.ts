import type { Command } from 'commander';
import { CliError, print, parsePositive } from '../output.ts';
import { findOrg, findTeam, findUser, withNode, adminOptions, type AdminOptions } from './admin-node.ts';

type Opts = AdminOptions & { org?: string };

const RUNNING_SERVER_NOTE = 'a running server on this data directory applies it within 30 s; cluster nodes at once when --redis is given';

/** `michat admin device …`, `keys …` and `session …`: see and sign out devices, rotate the signing key. */
export function adminDeviceCommands(admin: Command): void {
  const device = admin.command('device').description('devices (every login is a device)');
  adminOptions(device.command('list <team>').description("every device of a team's members").option('--org <name>', "the team's organization")).action((teamName: string, o: Opts) =>
    withNode(o, async (node) => {
      const team = await findTeam(node, await findOrg(node, o.org), teamName);
      const rows = [];
      for (const { user, role } of await node.directory.teamMembers(team.id)) {
        for (const d of await node.devices.listOf(user.id)) rows.push({ user: user.username, role, ...d });
      }
      const human = rows.map((r) => `${r.deviceId}\t${r.user}\t${r.name}\tlast used ${new Date(r.lastUsedAt).toISOString()}\t${r.signedIn ? 'signed in' : 'signed out'}`);
      print(!!o.json, rows, human.join('\n') || `no devices in ${team.name}`);
    }),
  );
  adminOptions(device.command('revoke <device-id>').description(`sign a device out: its sessions end, its tokens are refused (${RUNNING_SERVER_NOTE})`)).action((id: string, o: Opts) =>
    withNode(o, async (node) => {
      const d = await node.directory.device(parsePositive(id));
      if (!d) throw new CliError(`no device ${id}`);
      await node.sessions.revokeDevice(d.userId, d.id);
      print(!!o.json, { deviceId: d.id, userId: d.userId, revoked: true }, `device ${d.id} signed out`);
    }),
  );

  const keys = admin.command('keys').description('the keys that sign access tokens');
  adminOptions(
    keys
      .command('rotate')
      .description('make a new signing key for new tokens; tokens signed before stay valid until they expire (running servers pick it up within a minute; cluster nodes at once when --redis is given)'),
  ).action((o: Opts) =>
    withNode(o, async (node) => {
      const kid = await node.rotateSigningKey();
      print(!!o.json, { kid }, `new signing key ${kid}`);
    }),
  );

  const session = admin.command('session').description('sign-in sessions');
  adminOptions(session.command('revoke <user>').description(`sign a user out everywhere (${RUNNING_SERVER_NOTE})`)).action((username: string, o: Opts) =>
    withNode(o, async (node) => {
      const u = await findUser(node, username);
      await node.sessions.logoutEverywhere(u.id);
      print(!!o.json, { user: u.username, revoked: true }, `${u.username} signed out everywhere`);
    }),
  );
}
