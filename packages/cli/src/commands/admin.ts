import type { Command } from 'commander';
import { api } from '@michat/protocol';
import { CliError, print } from '../output.ts';
import { adminDeviceCommands } from './admin-devices.ts';
import { adminDirectoryCommands } from './admin-directory.ts';
import { adminRelayCommands } from './admin-relays.ts';
import { adminOptions, storeName, valid, withNode, type AdminOptions } from './admin-node.ts';

interface InitOptions extends AdminOptions {
  org: string;
  user: string;
  password?: string;
}

/** `michat admin …`: works directly on a data directory (offline) or on a cluster's database. */
export function adminCommand(program: Command): void {
  const admin = program.command('admin').description("administer a data directory directly (offline; no server needed), or a cluster's database (--database)");
  adminOptions(admin.command('init').description('create the first organization and its admin user'))
    .requiredOption('--org <name>', 'organization name')
    .requiredOption('--user <name>', 'admin username')
    .option('--password <pw>', 'admin password (or env MICHAT_PASSWORD)')
    .action(async (o: InitOptions) => {
      const password = o.password ?? process.env.MICHAT_PASSWORD;
      if (!password) throw new CliError('give --password or set MICHAT_PASSWORD');
      valid(api.Handle, o.org, 'organization name');
      valid(api.Handle, o.user, 'username');
      const { initOrganization } = await import('@michat/core');
      await withNode(o, async (node) => {
        const { org, admin: user } = await initOrganization(node.directory, { org: o.org, username: o.user, password });
        print(!!o.json, { org: { id: org.id, name: org.name }, admin: { id: user.id, username: user.username } }, `created organization "${org.name}" with admin "${user.username}" in ${storeName(o)}`);
      });
    });
  adminDirectoryCommands(admin);
  adminDeviceCommands(admin);
  adminRelayCommands(admin);
}
