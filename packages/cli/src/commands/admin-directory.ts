import type { Command } from 'commander';
import { api } from '@michat/protocol';
import { CliError, print } from '../output.ts';
import { findOrg, findTeam, findUser, handle, withNode, adminOptions, type AdminOptions } from './admin-node.ts';

type Opts = AdminOptions & { org?: string };


function password(o: { password?: string }): string {
  const pw = o.password ?? process.env.MICHAT_PASSWORD;
  if (!pw) throw new CliError('give --password or set MICHAT_PASSWORD');
  return pw;
}

/** `michat admin org|team|channel|user …`: build an organization offline, as the operator. */
export function adminDirectoryCommands(admin: Command): void {
  const org = admin.command('org').description('organizations');
  adminOptions(org.command('create <name>').description('create an organization')).action((name: string, o: Opts) =>
    withNode(o, async (node) => {
      const created = await node.directory.createOrg(handle(name, 'organization name'));
      print(!!o.json, created, `created organization "${created.name}" (id ${created.id})`);
    }),
  );
  adminOptions(org.command('list').description('list organizations')).action((o: Opts) =>
    withNode(o, async (node) => {
      const orgs = await node.directory.allOrgs();
      print(!!o.json, orgs, orgs.map((x) => `${x.id}\t${x.name}`).join('\n') || 'no organizations');
    }),
  );

  const user = admin.command('user').description('users');
  adminOptions(
    user
      .command('create <name>')
      .description('create a user')
      .option('--org <name>', 'their organization (default: the only one)')
      .option('--password <pw>', 'their password (or env MICHAT_PASSWORD)')
      .option('--admin', 'make them an organization admin'),
  ).action((name: string, o: Opts & { password?: string; admin?: boolean }) =>
    withNode(o, async (node) => {
      const target = await findOrg(node, o.org);
      const u = await node.directory.createUser({ orgId: target.id, username: handle(name, 'username'), password: password(o), orgAdmin: !!o.admin });
      print(!!o.json, { id: u.id, username: u.username, org: target.name, orgAdmin: u.orgAdmin }, `created user ${u.username} in ${target.name}${u.orgAdmin ? ' (organization admin)' : ''}`);
    }),
  );
  adminOptions(
    user
      .command('add <team> <user>')
      .description('add a user to a team with a role')
      .option('--role <role>', 'owner|admin|member|guest', 'member')
      .option('--org <name>', "the team's organization (default: the only one)"),
  ).action((teamName: string, username: string, o: Opts & { role: string }) =>
    withNode(o, async (node) => {
      const role = api.TeamRole.safeParse(o.role);
      if (!role.success) throw new CliError('--role must be owner, admin, member or guest');
      const team = await findTeam(node, await findOrg(node, o.org), teamName);
      const u = await findUser(node, username);
      await node.directory.setTeamRole(team.id, u.id, role.data);
      print(!!o.json, { team: team.name, user: u.username, role: role.data }, `${u.username} is now ${role.data} of ${team.name}`);
    }),
  );

  const team = admin.command('team').description('teams');
  adminOptions(
    team
      .command('create <name>')
      .description('create a team owned by an organization')
      .requiredOption('--owner <user>', 'its first owner')
      .option('--org <name>', 'the owning organization (default: the only one)'),
  ).action((name: string, o: Opts & { owner: string }) =>
    withNode(o, async (node) => {
      const owner = await findUser(node, o.owner);
      const t = await node.directory.createTeam({ orgId: (await findOrg(node, o.org)).id, name: handle(name, 'team name'), ownerId: owner.id });
      print(!!o.json, t, `created team "${t.name}" (id ${t.id}) owned by ${owner.username}`);
    }),
  );

  const channel = admin.command('channel').description('channels');
  adminOptions(
    channel
      .command('create <team> <name>')
      .description('create a channel in a team')
      .requiredOption('--owner <user>', 'its owner (a team member)')
      .option('--visibility <v>', 'public|private|restricted', 'public')
      .option('--topic <text>', 'topic / message of the day')
      .option('--org <name>', "the team's organization (default: the only one)"),
  ).action((teamName: string, name: string, o: Opts & { owner: string; visibility: string; topic?: string }) =>
    withNode(o, async (node) => {
      const visibility = api.Visibility.safeParse(o.visibility);
      if (!visibility.success) throw new CliError('--visibility must be public, private or restricted');
      const team = await findTeam(node, await findOrg(node, o.org), teamName);
      const owner = await findUser(node, o.owner);
      if (!(await node.directory.teamRole(team.id, owner.id))) throw new CliError(`${owner.username} is not a member of ${team.name}: michat admin user add ${team.name} ${owner.username}`);
      const c = await node.directory.createChannel({ team, name: handle(name, 'channel name'), visibility: visibility.data, createdBy: owner.id, ...(o.topic ? { topic: o.topic } : {}) });
      print(!!o.json, c, `created ${c.visibility} channel ${team.name}/${c.name} owned by ${owner.username}`);
    }),
  );
}
