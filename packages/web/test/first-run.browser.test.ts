import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type RunningServer } from '@michat/server';
import { CHROMIUM, PASSWORD, SOON, ensureBuilt, openChannel, send, signIn, texts } from './harness.ts';

/** A new user's first visit, on a server started as `npm start` starts it: nothing set up yet. */
let server: RunningServer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = await mkdtemp(join(tmpdir(), 'michat-first-run-'));
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', drainMs: 100 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('first visit: set up the organization, create a team, chat with a second user', async () => {
  const ownerCtx = await browser.newContext({ baseURL: server.url });
  const owner = await ownerCtx.newPage();
  await owner.goto('/');
  await owner.getByLabel('Organization', { exact: true }).fill('acme');
  await owner.getByLabel('Admin username', { exact: true }).fill('admin');
  await owner.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await owner.getByRole('button', { name: 'Create organization' }).click();
  await owner.getByRole('navigation', { name: 'Channels and direct messages' }).waitFor(SOON);

  await owner.getByRole('button', { name: 'Create a team' }).click();
  await owner.getByLabel('Name', { exact: true }).fill('launch');
  await owner.getByRole('button', { name: 'Create team' }).click();
  await owner.getByTestId('channel-title').filter({ hasText: 'general' }).waitFor(SOON);
  await send(owner, 'Welcome to launch!');
  await expect.poll(() => texts(owner), SOON).toEqual(['Welcome to launch!']);

  // a second person, added by the admin, signs in from another browser profile and answers
  const session = (await (await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })).json()) as { accessToken: string };
  const authed = { 'content-type': 'application/json', authorization: `Bearer ${session.accessToken}` };
  expect((await fetch(`${server.url}/api/users`, { method: 'POST', headers: authed, body: JSON.stringify({ username: 'bea', password: PASSWORD }) })).status).toBe(201);
  const me = (await (await fetch(`${server.url}/api/me`, { headers: authed })).json()) as { teams: Array<{ id: number }> };
  expect((await fetch(`${server.url}/api/teams/${me.teams[0]!.id}/members`, { method: 'POST', headers: authed, body: JSON.stringify({ username: 'bea' }) })).status).toBe(204);

  const beaCtx = await browser.newContext({ baseURL: server.url });
  const bea = await beaCtx.newPage();
  await signIn(bea, 'bea');
  await bea.getByRole('button', { name: 'Browse channels' }).first().click();
  await bea.getByRole('button', { name: 'Join: general' }).click();
  await openChannel(bea, 'general');
  await expect.poll(() => texts(bea), SOON).toEqual(['Welcome to launch!']);
  await send(bea, 'Glad to be here');
  await expect.poll(() => texts(owner), SOON).toEqual(['Welcome to launch!', 'Glad to be here']);
  await ownerCtx.close();
  await beaCtx.close();
}, 90_000);
