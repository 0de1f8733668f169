import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startListening, type ListeningProcess } from '@michat/testkit';
import { CHROMIUM, PASSWORD, SOON, WEB_DIR, ensureBuilt, openChannel, send, signIn, texts } from './harness.ts';

/** The michat command as a user runs it. */
const MICHAT = join(WEB_DIR, '../cli/bin/michat.js');

function michat(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MICHAT, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`michat ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

async function allBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

let dir: string;
let server: ListeningProcess;
let logs = '';
let browser: Browser;

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'michat-e2ee-scan-'));
  const data = join(dir, 'data');
  await michat(['admin', 'init', '--data', data, '--org', 'acme', '--user', 'alice', '--password', PASSWORD]);
  // The server as a user starts it, logging everything it logs at debug level.
  server = await startListening(MICHAT, ['serve', '--host', '127.0.0.1', '--port', '0', '--data', data, '--log-level', 'debug'], {}, /michat listening on (http:\/\/\S+)/);
  server.child.stdout?.on('data', (d) => (logs += d));
  server.child.stderr?.on('data', (d) => (logs += d));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('two browsers and a CLI chat end-to-end encrypted; no byte the server stores or logs holds a text', async () => {
  const profile = (who: string) => ({ MICHAT_PROFILE: join(dir, `${who}.json`) });
  await michat(['login', '--server', server.url, '--user', 'alice', '--password', PASSWORD], profile('alice'));
  for (const who of ['bob', 'carol']) await michat(['user', 'create', who, '--password', PASSWORD], profile('alice'));
  await michat(['team', 'create', 'ops'], profile('alice'));
  await michat(['channel', 'create', 'ops', 'general'], profile('alice'));
  for (const who of ['bob', 'carol']) {
    await michat(['team', 'add', 'ops', who], profile('alice'));
    await michat(['login', '--server', server.url, '--user', who, '--password', PASSWORD], profile(who));
    await michat(['channel', 'join', 'ops/general'], profile(who));
  }

  const person = async (who: string): Promise<Page> => {
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await signIn(page, who);
    await openChannel(page, 'general');
    return page;
  };
  const bob = await person('bob');
  const carol = await person('carol');
  // The terminal is a device too: it joins the channel's group by itself and seals what it sends.
  await michat(['send', 'ops/general', 'from the terminal: marker-cli-1'], profile('alice'));
  await expect.poll(() => texts(bob), SOON).toContain('from the terminal: marker-cli-1');
  await expect.poll(() => texts(carol), SOON).toContain('from the terminal: marker-cli-1');

  await send(bob, 'hello carol, marker-web-1');
  await expect.poll(() => texts(carol), SOON).toContain('hello carol, marker-web-1');
  await send(carol, 'hi bob, marker-web-2');
  await expect.poll(() => texts(bob), SOON).toContain('hi bob, marker-web-2');
  // An edit travels sealed too.
  const box = bob.getByRole('textbox', { name: 'Message #general' });
  await box.press('ArrowUp');
  await bob.getByRole('textbox', { name: 'Edit message' }).fill('hello carol, marker-web-3');
  await bob.getByRole('textbox', { name: 'Edit message' }).press('Enter');
  await expect.poll(() => texts(carol), SOON).toContain('hello carol, marker-web-3');
  // The lock says so, and the terminal reads what the browsers wrote.
  const history = await michat(['history', 'ops/general', '--json'], profile('alice'));
  const lines = history.trim().split('\n').map((l) => JSON.parse(l) as { text: string; e2ee: boolean });
  expect(lines.map((l) => l.text)).toEqual(expect.arrayContaining(['from the terminal: marker-cli-1', 'hello carol, marker-web-3', 'hi bob, marker-web-2']));
  expect(lines.every((l) => l.e2ee)).toBe(true);

  // Stop the server (its WAL included), then read every byte it wrote and logged.
  server.child.kill('SIGTERM');
  await server.exited;
  const stored = await allBytes(join(dir, 'data'));
  expect(logs.length).toBeGreaterThan(0);
  for (const marker of ['marker-cli-1', 'marker-web-1', 'marker-web-2', 'marker-web-3']) {
    expect(stored.includes(marker), `${marker} in the data directory`).toBe(false);
    expect(logs.includes(marker), `${marker} in the server's log`).toBe(false);
  }
}, 180_000);
