import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, decodeObject, toHex, type Channel, type Session } from '@michat/protocol';
import { RawClient, channelPrefix, textObject } from '@michat/testkit';
import { runCli, serveCli, type CliServer } from './run-cli.ts';

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('nothing acknowledged is lost', () => {
  let dir: string;
  let server: CliServer | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'michat-kill9-'));
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('every acked publish survives kill -9 of the server and a restart on the same data directory', async () => {
    const init = await runCli(['admin', 'init', '--data', dir, '--org', 'acme', '--user', 'alice', '--password', 'wonderland42']);
    expect(init.code, init.stderr).toBe(0);
    server = await serveCli(dir, ['--rate', '100000', '--burst', '100000']);
    const alice = await post<Session>(`${server.url}/api/auth/login`, { username: 'alice', password: 'wonderland42' });
    const team = await post<{ id: number }>(`${server.url}/api/teams`, { name: 'ops' }, alice.accessToken);
    const channel = await post<Channel>(`${server.url}/api/teams/${team.id}/channels`, { name: 'incidents' }, alice.accessToken);

    const c = await RawClient.connect(server.wsUrl, alice.accessToken);
    const objs = Array.from({ length: 500 }, (_, i) => textObject(channel, alice, i + 1, `message ${i + 1}`));
    const acked: string[] = [];
    const pending = objs.map((o, i) =>
      c.request({ t: 'pub', id: i + 1, obj: o.bytes }).then((a) => {
        if (a.t === 'ack') acked.push(toHex(o.name));
      }),
    );
    // kill -9 as soon as 300 acks are in: the rest may or may not be stored, but every acked one must be
    await c.until(() => acked.length >= 300, 20_000);
    server.child.kill('SIGKILL');
    await server.exited;
    await Promise.allSettled(pending);
    const ackedAtKill = new Set(acked);
    expect(ackedAtKill.size).toBeGreaterThanOrEqual(300);

    server = await serveCli(dir);
    const again = await post<Session>(`${server.url}/api/auth/login`, { username: 'alice', password: 'wonderland42' });
    const r = await RawClient.connect(server.wsUrl, again.accessToken);
    const stored = new Map<string, Uint8Array>();
    let before: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await r.request({ t: 'hist', id: 100 + i, channel: channelPrefix(channel), limit: 500, ...(before ? { before } : {}) });
      if (page.t !== 'page') throw new Error(JSON.stringify(page));
      for (const b of page.objs) stored.set(toHex(decodeObject(b).name), b);
      if (!page.more) break;
      before = page.next;
    }
    for (const name of ackedAtKill) expect(stored.has(name), `acked ${name} lost`).toBe(true);
    // what is stored is byte-exact, and a name stays immutable across the restart
    for (const o of objs) if (stored.has(toHex(o.name))) expect(bytesEqual(stored.get(toHex(o.name))!, o.bytes)).toBe(true);
    const first = objs[0]!;
    const forged = textObject(channel, alice, 1, 'rewritten after restart');
    // the old device's token still works: the signing key lives in the data directory
    const w = await RawClient.connect(server.wsUrl, alice.accessToken);
    expect(await w.request({ t: 'pub', id: 999, obj: forged.bytes })).toMatchObject({ t: 'err', kind: 'Conflict' });
    expect(await w.request({ t: 'pub', id: 1, obj: first.bytes })).toMatchObject({ t: 'ack', dup: true });
    r.close();
    w.close();
    c.close();
  }, 60_000);
});
