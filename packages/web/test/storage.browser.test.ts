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

  // Export a backup from Settings.
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: 'Backup' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export backup' }).click()]);
  const file = await download.path();

  // Clear site data: the app forgets the account and its messages.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: link.url, storageTypes: 'all' });
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(await page.evaluate(() => localStorage.length)).toBe(0);

  // Import: signed in again, history back, still without a data plane.
  await page.getByTestId('restore-file').setInputFiles(file);
  await page.getByRole('navigation', { name: 'Channels and direct messages' }).waitFor();
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
