import type { Command } from 'commander';
import { api } from '@michat/protocol';
import { CliError, print } from '../output.ts';
import { findChannel, findTeam, profileClient, type ProfileOption } from '../session-client.ts';

type Json = ProfileOption & { json?: boolean };

/** Runs `fn` with the profile's client and closes it. */
async function withClient<T>(o: ProfileOption, fn: (c: Awaited<ReturnType<typeof profileClient>>['client']) => Promise<T>): Promise<T> {
  const { client } = await profileClient(o);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function common(cmd: Command): Command {
  return cmd.option('--profile <file>', 'profile file (env MICHAT_PROFILE)').option('--json', 'print JSON');
}

/** `michat team …`, `michat channel …`, `michat user …` over the HTTP API, as the logged-in user. */
export function directoryCommands(program: Command): void {
  const team = program.command('team').description('teams');
  common(team.command('create <name>').description('create a team (organization admins)')).action((name: string, o: Json) =>
    withClient(o, async (c) => {
      const t = await c.createTeam(name);
      print(!!o.json, t, `created team "${t.name}" (id ${t.id})`);
    }),
  );
  common(team.command('add <team> <user>').description('add a user to a team').option('--role <role>', 'owner|admin|member|guest', 'member')).action(
    (teamName: string, user: string, o: Json & { role: string }) =>
      withClient(o, async (c) => {
        const role = api.TeamRole.safeParse(o.role);
        if (!role.success) throw new CliError('--role must be owner, admin, member or guest');
        const t = await findTeam(c, teamName);
        await c.addTeamMember(t.id, user, role.data);
        print(!!o.json, { team: t.name, user, role: role.data }, `added ${user} to ${t.name} as ${role.data}`);
      }),
  );
  common(team.command('list').description('your teams and their channels')).action((o: Json) =>
    withClient(o, async (c) => {
      const me = await c.me();
      const lines = me.teams.flatMap((t) => [`${t.name} (${t.role})`, ...t.channels.map((ch) => `  ${t.name}/${ch.name}  ${ch.visibility}${ch.member ? '' : ch.request ? `  (request ${ch.request})` : '  (not joined)'}`)]);
      print(!!o.json, me.teams, lines.join('\n') || 'no teams');
    }),
  );

  const channel = program.command('channel').description('channels');
  common(
    channel
      .command('create <team> <name>')
      .description('create a channel in a team')
      .option('--private', 'invite-only: its owner or a team admin adds members')
      .option('--restricted', 'team members ask to join; its owner accepts or refuses'),
  ).action(
    (teamName: string, name: string, o: Json & { private?: boolean; restricted?: boolean }) =>
      withClient(o, async (c) => {
        if (o.private && o.restricted) throw new CliError('give --private or --restricted, not both');
        const t = await findTeam(c, teamName);
        const ch = await c.createChannel(t.id, name, o.private ? 'private' : o.restricted ? 'restricted' : 'public');
        print(!!o.json, ch, `created ${ch.visibility} channel ${t.name}/${ch.name}`);
      }),
  );
  common(channel.command('join <team/channel>').description('join a public channel, or ask to join a restricted one')).action((path: string, o: Json) =>
    withClient(o, async (c) => {
      const ch = await c.joinChannel((await findChannel(c, path)).id);
      print(!!o.json, ch, ch.member ? `joined ${path}` : `asked to join ${path}: its owner decides (request ${ch.request ?? 'pending'})`);
    }),
  );
  common(channel.command('add <team/channel> <user>').description('add a team member to a channel')).action((path: string, user: string, o: Json) =>
    withClient(o, async (c) => {
      await c.addChannelMember((await findChannel(c, path)).id, user);
      print(!!o.json, { channel: path, user }, `added ${user} to ${path}`);
    }),
  );

  const user = program.command('user').description('users');
  common(user.command('create <name>').description('create a user in your organization (organization admins)').option('--password <pw>', 'their password (or env MICHAT_NEW_PASSWORD)')).action(
    (name: string, o: Json & { password?: string }) =>
      withClient(o, async (c) => {
        const password = o.password ?? process.env.MICHAT_NEW_PASSWORD;
        if (!password) throw new CliError('give --password or set MICHAT_NEW_PASSWORD');
        const u = await c.createUser(name, password);
        print(!!o.json, u, `created user ${u.username}`);
      }),
  );
}
