import type { Command } from 'commander';
import { MichatClient } from '@michat/client';
import { CliError, print } from '../output.ts';
import { Profile, profilePath } from '../profile.ts';

interface LoginOptions {
  server: string;
  user: string;
  password?: string;
  profile?: string;
  json?: boolean;
}

export function loginCommand(program: Command): void {
  program
    .command('login')
    .description('sign in and store the session in a profile file (a new device)')
    .requiredOption('--server <url>', 'server URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--user <name>', 'username')
    .option('--password <pw>', 'password (or env MICHAT_PASSWORD)')
    .option('--profile <file>', 'profile file (env MICHAT_PROFILE; default ~/.michat/profile.json)')
    .option('--json', 'print JSON')
    .action(async (o: LoginOptions) => {
      const password = o.password ?? process.env.MICHAT_PASSWORD;
      if (!password) throw new CliError('give --password or set MICHAT_PASSWORD');
      let server: string;
      try {
        server = new URL(o.server).origin;
      } catch {
        throw new CliError(`not a URL: ${o.server}`);
      }
      const client = await MichatClient.login(server, o.user, password, { deviceName: 'michat-cli' });
      const profile = new Profile(profilePath(o.profile));
      await profile.write({ server, session: client.session, seq: {} });
      const s = client.session;
      print(!!o.json, { server, username: s.username, userId: s.userId, deviceId: s.deviceId, profile: profile.path }, `logged in to ${server} as ${s.username} (device ${s.deviceId}); profile ${profile.path}`);
      await client.close();
    });
}
