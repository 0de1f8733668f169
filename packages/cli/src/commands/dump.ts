import { mkdir, readdir } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  CHANNEL_BITS,
  MAX_IMPORT_OBJECTS,
  channelFromKey,
  nameDevice,
  nameFields,
  nameSeq,
  parsePrefix,
  prefixContains,
  prefixToHex,
  prefixToText,
  toHex,
  type Channel,
  type MichatObject,
  type Prefix,
} from '@michat/protocol';
import type { MichatClient } from '@michat/client';
import { DUMP_FORMAT, readDump, writeManifest, writeObject } from '../dump/dump-format.ts';
import { progressBar } from '../dump/progress.ts';
import { CliError, print } from '../output.ts';
import { profileClient, type ProfileOption } from '../session-client.ts';

const HISTORY_PAGE = 500;

interface DumpOptions extends ProfileOption {
  json?: boolean;
}

interface UndumpOptions extends ProfileOption {
  server?: string;
  user?: string;
  password?: string;
  json?: boolean;
}

/** `michat dump` and `michat undump`: move the objects under a name prefix between deployments. */
export function dumpCommands(program: Command): void {
  program
    .command('dump <prefix> <dir>')
    .description('write every object under a name prefix (text m/ORG/TEAM/CHANNEL or hex NAME/BITS) that you can read to DIR, one file per object, with a manifest')
    .option('--profile <file>', 'profile file (env MICHAT_PROFILE)')
    .option('--json', 'print JSON')
    .action(async (prefixText: string, dir: string, o: DumpOptions) => {
      const prefix = parsePrefix(prefixText);
      if (!prefix) throw new CliError(`not a name prefix: "${prefixText}" (text m/ORG/TEAM/CHANNEL… or hex <32 digits>/BITS)`);
      await emptyDir(dir);
      const { client, profile } = await profileClient(o);
      try {
        const channels = await readableChannels(client, prefix);
        if (channels.length === 0) throw new CliError(`no channel you can read lies under ${prefixToText(prefix)}`);
        const bar = progressBar('dump', channels.length, 'channels');
        const files: Record<string, string> = {};
        for (const [i, channel] of channels.entries()) {
          for await (const obj of everyObject(client, channel)) {
            if (prefix.bits > CHANNEL_BITS && !prefixContains(prefix, { name: obj.name, bits: 128 })) continue;
            files[toHex(obj.name)] = await writeObject(dir, obj);
          }
          bar.update(i + 1);
        }
        bar.stop();
        const source = (await profile.read()).server;
        await writeManifest(dir, { format: DUMP_FORMAT, prefix: prefixToText(prefix), prefixHex: prefixToHex(prefix), source, dumpedAt: new Date().toISOString(), objects: files });
        const count = Object.keys(files).length;
        print(!!o.json, { dir, prefix: prefixToText(prefix), channels: channels.length, objects: count }, `dumped ${count} objects from ${channels.length} channel${channels.length === 1 ? '' : 's'} to ${dir}`);
      } finally {
        await client.close();
      }
    });

  program
    .command('undump <dir>')
    .description('publish a dump back (org admins): every object under its own name, once; objects already there are skipped')
    .option('--server <url>', 'the server to send to (default: the profile\'s), with --user and --password')
    .option('--user <name>', 'an org admin of the target server')
    .option('--password <pw>', 'their password (or env MICHAT_PASSWORD)')
    .option('--profile <file>', 'profile file (env MICHAT_PROFILE), when no --server is given')
    .option('--json', 'print JSON')
    .action(async (dir: string, o: UndumpOptions) => {
      const { objects } = await readDump(dir); // everything checked before anything is sent
      const client = await undumpClient(o);
      try {
        const batches = batchesByChannel(objects);
        const bar = progressBar('undump', objects.length, 'objects');
        const total = { stored: 0, duplicates: 0, conflicts: [] as string[] };
        let done = 0;
        for (const { channelId, objects: batch } of batches) {
          const r = await client.importObjects(channelId, batch.map((obj) => obj.bytes));
          total.stored += r.stored;
          total.duplicates += r.duplicates;
          total.conflicts.push(...r.conflicts);
          bar.update((done += batch.length));
        }
        bar.stop();
        print(!!o.json, { dir, objects: objects.length, ...total }, `undumped ${objects.length} objects: ${total.stored} stored, ${total.duplicates} already there, ${total.conflicts.length} conflicts`);
        if (total.conflicts.length) {
          throw new CliError(`these names hold other bytes on the server and were left as they are: ${total.conflicts.slice(0, 10).join(', ')}${total.conflicts.length > 10 ? ', …' : ''}`);
        }
      } finally {
        await client.close();
      }
    });
}

/** A dump goes into a new or empty directory, never over another one. */
async function emptyDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new CliError(`${dir} is not empty: dump into a new directory`);
}

/** The channels under `prefix` that the user is a member of (a narrower prefix: its one channel). */
async function readableChannels(client: MichatClient, prefix: Prefix): Promise<Channel[]> {
  const me = await client.me();
  const all = [...me.teams.flatMap((t) => t.channels), ...me.dms];
  return all.filter((c) => {
    const channel = channelFromKey(c.key);
    if (!channel || c.member === false) return false;
    return prefix.bits <= CHANNEL_BITS ? prefixContains(prefix, channel) : prefixContains(channel, prefix);
  });
}

/** Every unexpired object of a channel, newest first, page by page. */
async function* everyObject(client: MichatClient, channel: Channel): AsyncGenerator<MichatObject> {
  let before: string | undefined;
  for (;;) {
    const page = await client.history(channel, { limit: HISTORY_PAGE, ...(before !== undefined ? { before } : {}) });
    yield* page.objects;
    if (!page.more || page.next === undefined) return;
    before = page.next;
  }
}

/**
 * Import batches: per channel, in (device, seq) order, so each device's stream is rebuilt
 * from its start (the server bounds the holes a stream may have).
 */
function batchesByChannel(objects: MichatObject[]): Array<{ channelId: number; objects: MichatObject[] }> {
  const byChannel = new Map<number, MichatObject[]>();
  for (const obj of objects) {
    const id = nameFields(obj.name).channel;
    byChannel.set(id, [...(byChannel.get(id) ?? []), obj]);
  }
  const out: Array<{ channelId: number; objects: MichatObject[] }> = [];
  for (const [channelId, list] of byChannel) {
    list.sort((a, b) => nameDevice(a.name) - nameDevice(b.name) || nameSeq(a.name) - nameSeq(b.name));
    for (let i = 0; i < list.length; i += MAX_IMPORT_OBJECTS) out.push({ channelId, objects: list.slice(i, i + MAX_IMPORT_OBJECTS) });
  }
  return out;
}

async function undumpClient(o: UndumpOptions): Promise<MichatClient> {
  if (o.server === undefined) return (await profileClient(o)).client;
  const password = o.password ?? process.env.MICHAT_PASSWORD;
  if (!o.user || !password) throw new CliError('with --server, give --user and --password (or env MICHAT_PASSWORD)');
  const { MichatClient } = await import('@michat/client');
  return MichatClient.login(o.server, o.user, password, { clientName: 'michat-undump' });
}
