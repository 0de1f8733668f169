import { MichatClient, type Channel } from '@michat/client';
import { FileStore } from '@michat/client/node';
import { CliError } from './output.ts';
import { Profile, profilePath } from './profile.ts';

export interface ProfileOption {
  profile?: string;
}

/** A client for the profile's saved session; refreshed sessions are saved back. */
export async function profileClient(o: ProfileOption): Promise<{ client: MichatClient; profile: Profile }> {
  const path = profilePath(o.profile);
  const profile = new Profile(path);
  const data = await profile.read();
  // The CLI is a device: its MLS keys, group states and opened messages live beside the profile.
  const store = await openKeyStore(`${path}.keys`);
  const client = new MichatClient(data.server, data.session, {
    store,
    e2ee: true,
    seqStore: profile,
    clientName: 'michat-cli',
    onSession: (s) => void profile.saveSession(s),
  });
  return { client, profile };
}

/** Splits `TEAM/CHANNEL`. */
export function parseChannelPath(path: string): { team: string; channel: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(path);
  if (!m) throw new CliError(`expected TEAM/CHANNEL, got "${path}"`);
  return { team: m[1]!, channel: m[2]! };
}

/** Finds a team by name among the user's teams. */
export async function findTeam(client: MichatClient, name: string) {
  const me = await client.me();
  const team = me.teams.find((t) => t.name === name);
  if (!team) throw new CliError(`no team "${name}" (yours: ${me.teams.map((t) => t.name).join(', ') || 'none'})`);
  return team;
}

/** Resolves `TEAM/CHANNEL` to a channel the user can see; `member` says whether they can read it. */
export async function findChannel(client: MichatClient, path: string): Promise<Channel> {
  const { team: teamName, channel: channelName } = parseChannelPath(path);
  const team = await findTeam(client, teamName);
  const channel = team.channels.find((c) => c.name === channelName);
  if (!channel) throw new CliError(`no channel "${channelName}" in team "${teamName}"`);
  return channel;
}

/** Like findChannel, but the user must be a member (with a hint to join a public channel). */
export async function memberChannel(client: MichatClient, path: string): Promise<Channel> {
  const channel = await findChannel(client, path);
  if (channel.member === false) throw new CliError(`you are not a member of ${path}: run michat channel join ${path}`);
  return channel;
}

/** The profile's key store; one command at a time may use it (it holds the device's keys). */
async function openKeyStore(dir: string): Promise<FileStore> {
  try {
    return await FileStore.open(dir);
  } catch (e) {
    if (/in use by process/.test((e as Error).message)) throw new CliError(`${(e as Error).message}: another michat command is using this profile's keys (stop it, or use another --profile)`);
    throw e;
  }
}
