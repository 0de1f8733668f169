import { toHex } from '@michat/protocol';
import type { Fixture } from './fixture.ts';

/**
 * Key prefixes of what the directory, the data plane and end-to-end encryption (device keys,
 * KeyPackages) store: a snapshot of these shows any change a refused operation might have
 * made. (Sign-in state under `d/` — sessions, device use — is left out: it changes on every
 * login and is not the directory's.)
 */
const WATCHED = ['d/org/', 'd/orgname/', 'd/user/', 'd/username/', 'd/team/', 'd/teamname/', 'd/tm/', 'd/ut/', 'd/chan/', 'd/channame/', 'd/tc/', 'd/cm/', 'd/jr/', 'd/ban/', 'd/dmpair/', 'd/udm/', 'd/devkey/', 'd/kp/', 'd/kplr/', 'o/', 't/', 'r/', 'v/'];
const WATCHED_COUNTERS = ['org', 'user', 'team', 'channel'];

/** Everything the directory and the data plane hold, as one comparable list of `key=hex` lines. */
export async function storeSnapshot(f: Fixture): Promise<string[]> {
  const kv = f.server.node.kv;
  const lines: string[] = [];
  for (const prefix of WATCHED) for (const [key, value] of await kv.list(prefix)) lines.push(`${key}=${toHex(value)}`);
  for (const kind of WATCHED_COUNTERS) {
    const v = await kv.get(`d/ctr/${kind}`);
    if (v) lines.push(`d/ctr/${kind}=${toHex(v)}`);
  }
  return lines;
}
