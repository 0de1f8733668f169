import type { Command } from 'commander';
import { CliError, print } from '../output.ts';
import { adminOptions, findOrg, handle, withNode, type AdminOptions } from './admin-node.ts';

/** `michat admin relay add`: the account a relay signs in to this deployment with. */
export function adminRelayCommands(admin: Command): void {
  const relay = admin.command('relay').description('relay accounts (what relays sign in upstream as)');
  adminOptions(
    relay
      .command('add <name>')
      .description('create a relay account: it may read every channel of its organization and forward its members’ messages')
      .option('--org <name>', 'the organization it serves (default: the only one)')
      .option('--password <pw>', 'its password (or env MICHAT_PASSWORD)'),
  ).action((name: string, o: AdminOptions & { org?: string; password?: string }) =>
    withNode(o, async (node) => {
      const password = o.password ?? process.env.MICHAT_PASSWORD;
      if (!password) throw new CliError('give --password or set MICHAT_PASSWORD');
      const { createRelayAccount } = await import('@michat/core');
      const org = await findOrg(node, o.org);
      const account = await createRelayAccount(node.directory, { orgId: org.id, username: handle(name, 'relay account name'), password });
      print(
        !!o.json,
        { id: account.id, username: account.username, org: org.name, relay: true },
        `created relay account ${account.username} for ${org.name}\nstart a relay with it:  MICHAT_RELAY_PASSWORD=… npx michat relay --upstream URL --user ${account.username}`,
      );
    }),
  );
}
