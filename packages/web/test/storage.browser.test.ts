import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SOON, openChannel, send, signIn, startWorld, texts, type World } from './harness.ts';

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await world.user('alice');
  await world.team('core', ['alice']);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

test('reload shows history from the local store; export, clear site data, import: all back', async () => {
  const { page, context, link } = await world.person();
  await signIn(page, 'alice');
  await openChannel(page, 'general');
  const sent = ['first note', 'second note', 'third note'];
  for (const text of sent) await send(page, text);
  await expect.poll(() => page.locator('[data-status="pending"]').count(), SOON).toBe(0);
  await expect.poll(() => texts(page), SOON).toEqual(sent);

  // Reload with the data plane unreachable: whatever shows comes from this browser's store.
  await page.routeWebSocket(/\/ws$/, () => undefined);
  await page.reload();
  await expect.poll(() => texts(page), SOON).toEqual(sent);

  // Export a backup from Settings, encrypted under a passphrase typed twice.
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: 'Backup' }).click();
  await page.getByRole('button', { name: 'Export backup' }).click();
  const encrypt = page.getByRole('form', { name: 'Encrypt the backup' });
  await encrypt.getByLabel('Passphrase', { exact: true }).fill('otters hold hands');
  await encrypt.getByLabel('Repeat passphrase').fill('otters hold hand');
  await encrypt.getByRole('button', { name: 'Encrypt and download' }).click();
  await expect.poll(() => encrypt.getByRole('alert').textContent(), SOON).toBe('The two passphrases differ.');
  await encrypt.getByLabel('Repeat passphrase').fill('otters hold hands');
  let started = performance.now();
  const [download] = await Promise.all([page.waitForEvent('download'), encrypt.getByRole('button', { name: 'Encrypt and download' }).click()]);
  const file = await download.path();
  console.info(`Chromium: encrypted export (scrypt N=2^16 r=8 p=1) took ${(performance.now() - started).toFixed(0)} ms`);
  // What the file shows: a wrapper around ciphertext, none of the messages or the session.
  const saved = await readFile(file, 'utf8');
  expect(JSON.parse(saved)).toMatchObject({ format: 'michat-export-encrypted', kdf: { name: 'scrypt', N: 65536, r: 8, p: 1 }, cipher: 'AES-256-GCM' });
  for (const text of [...sent, 'refreshToken', 'alice']) expect(saved).not.toContain(text);

  // Clear site data: the app forgets the account and its messages.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: link.url, storageTypes: 'all' });
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(await page.evaluate(() => localStorage.length)).toBe(0);

  // Import: the passphrase is asked (a wrong one is refused); then signed in again, history
  // back, still without a data plane.
  await page.getByTestId('restore-file').setInputFiles(file);
  const open = page.getByRole('form', { name: 'Open the backup' });
  await open.getByLabel('Passphrase').fill('otters hold paws');
  await open.getByRole('button', { name: 'Open backup' }).click();
  await expect.poll(() => open.getByRole('alert').textContent(), SOON).toBe('Wrong passphrase, or the backup file is damaged.');
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  await open.getByLabel('Passphrase').fill('otters hold hands');
  started = performance.now();
  await open.getByRole('button', { name: 'Open backup' }).click();
  await page.getByRole('navigation', { name: 'Channels and direct messages' }).waitFor();
  console.info(`Chromium: opening the encrypted backup and signing in took ${(performance.now() - started).toFixed(0)} ms`);
  await expect.poll(() => texts(page), SOON).toEqual(sent);

  // And with the server back (a new tab has no blocked socket), the restored device sends
  // under fresh names: its sequence numbers came back too, so nothing is refused as Conflict.
  await page.close();
  const tab = await context.newPage();
  await tab.goto('/');
  await openChannel(tab, 'general');
  await send(tab, 'after restore');
  await expect.poll(() => texts(tab), SOON).toEqual([...sent, 'after restore']);
  await expect.poll(() => tab.locator('[data-status="sent"]').count(), SOON).toBe(4);
  await context.close();
}, 60_000);
