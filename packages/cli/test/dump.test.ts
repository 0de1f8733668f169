import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MichatClient, type Channel } from '@michat/client';
import { toHex } from '@michat/protocol';
import { runCli, serveCli, type CliServer } from './run-cli.ts';

const PASSWORD = 'wonderland42';

/** `michat dump` a channel from one deployment, `michat undump` it into a fresh one. */
describe('dump and undump', () => {
  let dir: string;
  const servers: CliServer[] = [];
  const ok = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli(args, env);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  /** A deployment set up the same way on both sides: org acme, admin alice, team ops, channel general. */
  const deployment = async (name: string) => {
    const data = join(dir, name);
    await ok(['admin', 'init', '--data', data, '--org', 'acme', '--user', 'alice', '--password', PASSWORD]);
    const server = await serveCli(data);
    servers.push(server);
    const profile = { MICHAT_PROFILE: join(dir, `${name}.json`) };
    await ok(['login', '--server', server.url, '--user', 'alice', '--password', PASSWORD], profile);
    await ok(['team', 'create', 'ops'], profile);
    await ok(['channel', 'create', 'ops', 'general'], profile);
    const client = await MichatClient.login(server.url, 'alice', PASSWORD);
    const channel = (await client.me()).teams[0]!.channels.find((c) => c.name === 'general')!;
    return { server, profile, client, channel };
  };
  /** The channel's whole history, oldest first, as (name, bytes) in hex. */
  const everything = async (client: MichatClient, channel: Channel) => {
    const out: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await client.history(channel, { limit: 500, ...(before ? { before } : {}) });
      out.push(...page.objects.map((o) => `${toHex(o.name)}:${toHex(o.bytes)}`));
      if (!page.more || !page.next) return out.reverse();
      before = page.next;
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'michat-dump-'));
  });
  afterAll(async () => {
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.exited));
    await rm(dir, { recursive: true, force: true });
  });

  it('a dumped channel undumped into a fresh server shows the same history, and undumping again changes nothing', async () => {
    const a = await deployment('a');
    // Two devices, a thread, and more than one history page.
    const other = await MichatClient.login(a.server.url, 'alice', PASSWORD, { deviceName: 'second device' });
    const root = await a.client.sendText(a.channel, 'root of a thread');
    await other.sendText(a.channel, 'a reply', { threadRoot: root.object.name });
    for (let start = 0; start < 600; start += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => (k % 2 ? a.client : other).sendText(a.channel, `message ${start + k}`)));
    }
    const original = await everything(a.client, a.channel);
    expect(original).toHaveLength(602);

    const out = join(dir, 'dump');
    const dumped = await ok(['dump', `m/${a.channel.orgId}/${a.channel.teamId}/${a.channel.id}`, out], a.profile);
    expect(dumped).toMatch(/dumped 602 objects from 1 channel/);
    const files = await readdir(out);
    expect(files.filter((f) => f.endsWith('.obj'))).toHaveLength(602);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { format: string; objects: Record<string, string> };
    expect(manifest.format).toBe('michat-dump/1');
    expect(Object.keys(manifest.objects)).toHaveLength(602);

    const b = await deployment('b');
    expect(b.channel.key).toBe(a.channel.key); // the same ids, so the same names
    const undumped = JSON.parse(await ok(['undump', out, '--server', b.server.url, '--user', 'alice', '--password', PASSWORD, '--json'])) as { stored: number; duplicates: number };
    expect(undumped).toMatchObject({ stored: 602, duplicates: 0, conflicts: [] });
    expect(await everything(b.client, b.channel)).toEqual(original);

    const again = JSON.parse(await ok(['undump', out, '--json'], b.profile)) as { stored: number; duplicates: number };
    expect(again).toMatchObject({ stored: 0, duplicates: 602 });
    expect(await everything(b.client, b.channel)).toEqual(original);
    await Promise.all([a.client.close(), other.close(), b.client.close()]);
  }, 120_000);

  it('the hex form of a prefix works too, and a damaged dump is refused before anything is sent', async () => {
    const c = await deployment('c');
    await c.client.sendText(c.channel, 'one');
    await c.client.sendText(c.channel, 'two');
    const out = join(dir, 'hex-dump');
    expect(await ok(['dump', `${c.channel.key}${'0'.repeat(32 - c.channel.key.length)}/72`, out], c.profile)).toMatch(/dumped 2 objects/);

    const notEmpty = await runCli(['dump', `m/${c.channel.orgId}/${c.channel.teamId}/${c.channel.id}`, out], c.profile);
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toMatch(/is not empty/);
    const badPrefix = await runCli(['dump', 'not-a-prefix', join(dir, 'x')], c.profile);
    expect(badPrefix.stderr).toMatch(/not a name prefix/);

    const d = await deployment('d');
    const victim = (await readdir(out)).find((f) => f.endsWith('.obj'))!;
    const bytes = await readFile(join(out, victim));
    bytes[bytes.length - 1]! ^= 0xff;
    await writeFile(join(out, victim), bytes);
    const refused = await runCli(['undump', out], d.profile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is damaged/);
    expect(await everything(d.client, d.channel)).toEqual([]);

    // Not an org admin: the server refuses, and nothing is stored.
    await ok(['admin', 'user', 'create', 'mallory', '--org', 'acme', '--data', join(dir, 'd'), '--password', PASSWORD]);
    bytes[bytes.length - 1]! ^= 0xff;
    await writeFile(join(out, victim), bytes);
    const forbidden = await runCli(['undump', out, '--server', d.server.url, '--user', 'mallory', '--password', PASSWORD]);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/Forbidden/);
    expect(await everything(d.client, d.channel)).toEqual([]);
    await Promise.all([c.client.close(), d.client.close()]);
  }, 120_000);
});
