import type { Command } from 'commander';
import { CliError, parsePositive, print } from '../output.ts';

/** `host:port` of a unicast DNS-SD responder. */
export function parseHostPort(v: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new CliError(`expected HOST:PORT, got "${v}"`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** `michat discover`: the michat servers and relays announcing themselves on this network. */
export function discoverCommand(program: Command): void {
  program
    .command('discover')
    .description('list michat servers and relays announcing themselves on the local network (mDNS)')
    .option('--timeout <ms>', 'how long to listen for answers (default 1500)', parsePositive, 1500)
    .option('--unicast <host:port>', 'ask one responder directly instead of multicast (networks without multicast)', parseHostPort)
    .option('--json', 'print JSON')
    .action(async (o: { timeout: number; unicast?: { host: string; port: number }; json?: boolean }) => {
      const { discoverServers } = await import('@michat/client/node');
      const found = await discoverServers({ timeoutMs: o.timeout, ...(o.unicast ? { unicast: o.unicast } : {}) });
      const human = found.map((s) => `${s.kind}\t${s.name}\t${s.url}`).join('\n');
      print(!!o.json, found, human || 'nothing found (is multicast allowed on this network?)');
    });
}
