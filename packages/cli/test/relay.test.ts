import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MichatClient, decodePayload, type Channel } from '@michat/client';
import { discoverServers } from '@michat/client/node';
import { RawClient, freePort, freeUdpPort, textObject } from '@michat/testkit';
import { toHex } from '@michat/protocol';
import { relayCli, runCli, serveCli, type CliServer } from './run-cli.ts';

const PASSWORD = 'wonderland42';
const RELAY_PASSWORD = 'relay-secret-42';

/** `michat admin relay add` and `michat relay`, as an operator runs them. */
describe('michat relay', () => {
  let dir: string;
  const children: CliServer[] = [];
  const ok = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli(args, env);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'michat-relay-cli-'));
  });
  afterAll(async () => {
    for (const c of children) c.child.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await rm(dir, { recursive: true, force: true });
  });

  it('an operator adds a relay account, starts a relay with it, and a member chats through it', async () => {
    const data = join(dir, 'origin');
    await ok(['admin', 'init', '--data', data, '--org', 'acme', '--user', 'alice', '--password', PASSWORD]);
    const added = JSON.parse(await ok(['admin', 'relay', 'add', 'lan-relay', '--data', data, '--password', RELAY_PASSWORD, '--json']));
    expect(added).toMatchObject({ username: 'lan-relay', org: 'acme', relay: true });
    expect(await ok(['admin', 'user', 'create', 'bob', '--data', data, '--password', PASSWORD])).toContain('created user bob');

    const origin = await serveCli(data);
    children.push(origin);
    const responder = { host: '127.0.0.1', port: await freeUdpPort() };
    const relay = await relayCli(origin.url, 'lan-relay', RELAY_PASSWORD, join(dir, 'relay'), ['--announce', 'Harbour LAN', '--announce-unicast', `127.0.0.1:${responder.port}`]);
    children.push(relay);
    // The relay announces itself; apps find it (multicast does not reach loopback: the unicast form of the same queries).
    const found = await discoverServers({ unicast: responder, timeoutMs: 700 });
    expect(found).toEqual([expect.objectContaining({ name: 'Harbour LAN', kind: 'relay', url: relay.url })]);

    const alice = await MichatClient.login(origin.url, 'alice', PASSWORD);
    const team = await alice.createTeam('ops');
    const channel: Channel = await alice.createChannel(team.id, 'general', 'public');
    await alice.addTeamMember(team.id, 'bob');
    // Bob signs in through the relay (passed through to the origin) and chats through it.
    const bob = await MichatClient.login(found[0]!.url, 'bob', PASSWORD);
    await bob.joinChannel(channel.id);
    const heard: string[] = [];
    const sub = alice.subscribe(channel, (o) => {
      const p = decodePayload(o);
      if (p.type === 'text') heard.push(p.text);
    });
    await sub.ready;
    await bob.sendText(channel, 'hello through the relay');
    const deadline = Date.now() + 10_000;
    while (!heard.includes('hello through the relay') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(heard).toContain('hello through the relay');
    await Promise.all([alice.close(), bob.close()]);
  }, 60_000);

  it('refuses to start without an account, a password, or a usable upstream URL', async () => {
    const noUser = await runCli(['relay', '--upstream', 'http://127.0.0.1:9', '--memory']);
    expect(noUser.code).not.toBe(0);
    expect(noUser.stderr).toContain('--user');
    const noPassword = await runCli(['relay', '--upstream', 'http://127.0.0.1:9', '--user', 'x', '--memory'], { MICHAT_RELAY_PASSWORD: '' });
    expect(noPassword.stderr).toContain('MICHAT_RELAY_PASSWORD');
    const badUrl = await runCli(['relay', '--upstream', 'ftp://example', '--user', 'x', '--memory'], { MICHAT_RELAY_PASSWORD: 'pw' });
    expect(badUrl.stderr).toContain('http:// or https://');
    const badName = await runCli(['admin', 'relay', 'add', 'Bad Name!', '--data', join(dir, 'origin'), '--password', RELAY_PASSWORD]);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain('relay account name');
  });

  it('every publish the relay acknowledged reaches the origin, after the origin went down and the relay was killed -9', async () => {
    const data = join(dir, 'origin-kill');
    await ok(['admin', 'init', '--data', data, '--org', 'acme', '--user', 'alice', '--password', PASSWORD]);
    await ok(['admin', 'relay', 'add', 'lan-relay', '--data', data, '--password', RELAY_PASSWORD]);
    await ok(['admin', 'user', 'create', 'bob', '--data', data, '--password', PASSWORD]);
    const port = String(await freePort());
    let origin = await serveCli(data, ['--port', port]);
    const relayData = join(dir, 'relay-kill');
    let relay = await relayCli(origin.url, 'lan-relay', RELAY_PASSWORD, relayData, ['--rate', '100000']);
    children.push(origin, relay);

    const alice = await MichatClient.login(origin.url, 'alice', PASSWORD);
    const team = await alice.createTeam('field');
    const channel: Channel = await alice.createChannel(team.id, 'general', 'public');
    await alice.addTeamMember(team.id, 'bob');
    const bob = await MichatClient.login(relay.url, 'bob', PASSWORD);
    await bob.joinChannel(channel.id);
    const session = bob.session;
    await bob.close();

    const c = await RawClient.connect(relay.wsUrl, session.accessToken);
    expect(await c.request({ t: 'pub', id: 1, obj: textObject(channel, session, 1, 'before the outage').bytes })).toMatchObject({ t: 'ack' });
    origin.child.kill('SIGTERM'); // the origin goes away…
    await origin.exited;
    const acked: string[] = [];
    const pending = Array.from({ length: 300 }, (_, i) => {
      const obj = textObject(channel, session, i + 2, `offline ${i + 2}`);
      return c.request({ t: 'pub', id: i + 2, obj: obj.bytes }, 20_000).then((a) => {
        if (a.t === 'ack') acked.push(toHex(obj.name));
      });
    });
    await c.until(() => acked.length >= 200, 20_000);
    relay.child.kill('SIGKILL'); // …and the relay dies mid-stream
    await relay.exited;
    await Promise.allSettled(pending);
    const ackedAtKill = new Set(acked);

    origin = await serveCli(data, ['--port', port]);
    relay = await relayCli(origin.url, 'lan-relay', RELAY_PASSWORD, relayData);
    children.push(origin, relay);
    const stored = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      stored.clear();
      let before: string | undefined;
      for (;;) {
        const page = await alice.history(channel, { limit: 500, ...(before ? { before } : {}) });
        for (const o of page.objects) stored.add(toHex(o.name));
        if (!page.more || !page.next) break;
        before = page.next;
      }
      if ([...ackedAtKill].every((n) => stored.has(n))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect([...ackedAtKill].filter((n) => !stored.has(n))).toEqual([]);
    expect(ackedAtKill.size).toBeGreaterThanOrEqual(200);
    c.close();
    await alice.close();
  }, 90_000);
});
