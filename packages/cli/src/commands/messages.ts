import type { Command } from 'commander';
import { parseName, toHex, type MichatObject } from '@michat/protocol';
import { CliError, parsePositive } from '../output.ts';
import { memberChannel, profileClient, type ProfileOption } from '../session-client.ts';
import { humanLine, viewOf, type MessageView } from '../message-view.ts';

type Json = ProfileOption & { json?: boolean };

function printView(v: MessageView | undefined, json: boolean): void {
  if (v) console.log(json ? JSON.stringify(v) : humanLine(v));
}

/** `michat send`, `michat history`, `michat tail`: the data plane from a terminal. */
export function messageCommands(program: Command): void {
  program
    .command('send <team/channel> <text>')
    .description('send a text message; returns once the server has stored it')
    .option('--thread <name>', 'reply in the thread of this message (its name, text or hex form)')
    .option('--profile <file>', 'profile file (env MICHAT_PROFILE)')
    .option('--json', 'print JSON')
    .action(async (path: string, text: string, o: Json & { thread?: string }) => {
      const threadRoot = o.thread === undefined ? undefined : parseName(o.thread);
      if (o.thread !== undefined && !threadRoot) throw new CliError(`not a message name: ${o.thread}`);
      const { client } = await profileClient(o);
      try {
        const channel = await memberChannel(client, path);
        const result = await client.sendText(channel, text, threadRoot ? { threadRoot } : {});
        const view = (await viewOf(client, result.object))!;
        if (o.json) console.log(JSON.stringify(view));
        else console.log(`sent ${view.name}`);
      } finally {
        await client.close();
      }
    });

  program
    .command('history <team/channel>')
    .description('print recent messages, oldest first')
    .option('--limit <n>', 'how many messages (default 50)', parsePositive, 50)
    .option('--thread <name>', 'only replies in this thread')
    .option('--profile <file>', 'profile file (env MICHAT_PROFILE)')
    .option('--json', 'JSON lines: name, sender, created, text')
    .action(async (path: string, o: Json & { limit: number; thread?: string }) => {
      const thread = o.thread === undefined ? undefined : parseName(o.thread);
      if (o.thread !== undefined && !thread) throw new CliError(`not a message name: ${o.thread}`);
      const { client } = await profileClient(o);
      try {
        const channel = await memberChannel(client, path);
        const objects = await newest(client, channel, o.limit, thread);
        for (const obj of objects.reverse()) printView(await viewOf(client, obj), !!o.json);
      } finally {
        await client.close();
      }
    });

  program
    .command('tail <team/channel>')
    .description('print the last messages, then new ones as they arrive, until interrupted')
    .option('--last <n>', 'how many recent messages to print first (default 10)', (v) => (v === '0' ? 0 : parsePositive(v)), 10)
    .option('--profile <file>', 'profile file (env MICHAT_PROFILE)')
    .option('--json', 'JSON lines: name, sender, created, text')
    .action(async (path: string, o: Json & { last: number }) => {
      const { client } = await profileClient(o);
      const channel = await memberChannel(client, path);
      const printed = new Set<string>();
      let backlogDone = false;
      const pending: MichatObject[] = [];
      let chain = Promise.resolve();
      const show = (obj: MichatObject) => {
        const key = toHex(obj.name);
        if (printed.has(key)) return;
        printed.add(key);
        chain = chain.then(async () => printView(await viewOf(client, obj), !!o.json));
      };
      let live = false;
      const sub = client.subscribe(channel, (obj) => {
        if (!live) return; // catch-up of older messages: the backlog below covers the recent ones
        if (backlogDone) show(obj);
        else pending.push(obj);
      });
      await sub.ready;
      live = true;
      const backlog = o.last > 0 ? await newest(client, channel, o.last) : [];
      for (const obj of backlog.reverse()) show(obj);
      backlogDone = true;
      for (const obj of pending.sort((a, b) => a.created - b.created)) show(obj);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      sub();
      await chain;
      await client.close();
    });
}

/** The newest `limit` messages (newest first), paging as needed. */
async function newest(client: Awaited<ReturnType<typeof profileClient>>['client'], channel: Parameters<typeof client.history>[0], limit: number, thread?: Uint8Array): Promise<MichatObject[]> {
  const out: MichatObject[] = [];
  let before: string | undefined;
  while (out.length < limit) {
    const page = await client.history(channel, { limit: Math.min(500, limit - out.length), ...(before ? { before } : {}), ...(thread ? { thread } : {}) });
    out.push(...page.objects);
    if (!page.more || !page.next) break;
    before = page.next;
  }
  return out;
}
