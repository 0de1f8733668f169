import { Command, CommanderError } from 'commander';
import { adminCommand } from './commands/admin.ts';
import { serveCommand } from './commands/serve.ts';
import { relayCommand } from './commands/relay.ts';
import { loginCommand } from './commands/login.ts';
import { directoryCommands } from './commands/directory.ts';
import { messageCommands } from './commands/messages.ts';
import { dumpCommands } from './commands/dump.ts';
import { discoverCommand } from './commands/discover.ts';
import { reportError } from './output.ts';

const program = new Command()
  .name('michat')
  .description('michat: team messaging on named, immutable objects')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

serveCommand(program);
relayCommand(program);
adminCommand(program);
loginCommand(program);
directoryCommands(program);
messageCommands(program);
dumpCommands(program);
discoverCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode;
  else reportError(e);
}
