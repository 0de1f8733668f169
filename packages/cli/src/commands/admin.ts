import type { Command } from 'commander';
import { api } from '@michat/protocol';
import { CliError, print } from '../output.ts';
import { adminDeviceCommands } from './admin-devices.ts';
import { adminDirectoryCommands } from './admin-directory.ts';

interface InitOptions {
  data: string;
  org: string;
  user: string;
  password?: string;
  json?: boolean;
}

function valid(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }, value: unknown, what: string): void {
  const r = schema.safeParse(value);
  if (!r.success) throw new CliError(`${what}: ${r.error?.issues[0]?.message ?? 'invalid'}`);
}

/** `michat admin …`: works offline, directly on a data directory. */
export function adminCommand(program: Command): void {
  const admin = program.command('admin').description('administer a data directory directly (offline; no server needed)');
  admin
    .command('init')
    .description('create the first organization and its admin user')
    .requiredOption('--data <dir>', 'data directory (the server\'s --data)')
    .requiredOption('--org <name>', 'organization name')
    .requiredOption('--user <name>', 'admin username')
    .option('--password <pw>', 'admin password (or env MICHAT_PASSWORD)')
    .option('--json', 'print JSON')
    .action(async (o: InitOptions) => {
      const password = o.password ?? process.env.MICHAT_PASSWORD;
      if (!password) throw new CliError('give --password or set MICHAT_PASSWORD');
      valid(api.Handle, o.org, 'organization name');
      valid(api.Handle, o.user, 'username');
      const { initOrganization, MichatNode } = await import('@michat/core');
      const { openStore, scryptHasher } = await import('@michat/server');
      const node = new MichatNode({ kv: await openStore(o.data), hasher: scryptHasher });
      try {
        const { org, admin: user } = await initOrganization(node.directory, { org: o.org, username: o.user, password });
        print(!!o.json, { org: { id: org.id, name: org.name }, admin: { id: user.id, username: user.username } }, `created organization "${org.name}" with admin "${user.username}" in ${o.data}`);
      } finally {
        await node.close();
      }
    });
  adminDirectoryCommands(admin);
  adminDeviceCommands(admin);
}
