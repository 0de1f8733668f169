import type { Channel } from '@michat/protocol';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SOON, openChannel, screenshot, send, signIn, startWorld, texts, type World } from './harness.ts';

let world: World;
let teamId: number;

beforeAll(async () => {
  world = await startWorld();
  await world.user('bob');
  teamId = (await world.team('core', ['bob'])).id;
  await world.api<Channel>('POST', `/api/teams/${teamId}/channels`, { name: 'leads', visibility: 'restricted', topic: 'Planning for team leads' }, world.admin.accessToken);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

test('restricted channel: ask to join, the owner approves, then read', async () => {
  const owner = await world.person();
  const bob = await world.person();
  await signIn(owner.page, 'admin');
  await openChannel(owner.page, 'leads');
  await send(owner.page, 'Welcome, leads: agenda is in the doc');
  await expect.poll(() => owner.page.locator('[data-status="sent"]').count(), SOON).toBe(1);

  // Bob sees the channel in the browser and asks to join.
  await signIn(bob.page, 'bob');
  await bob.page.getByRole('button', { name: 'Browse channels' }).first().click();
  await bob.page.getByRole('button', { name: 'Ask to join: leads' }).click();
  await bob.page.getByRole('status').filter({ hasText: 'Asked to join #leads' }).waitFor();
  await screenshot(bob.page, 'channel-browser');
  await bob.page.keyboard.press('Escape');
  await bob.page.getByRole('button', { name: 'leads requested' }).waitFor();
  expect(await bob.page.locator('[data-nav-item][data-channel="leads"]').count()).toBe(0);

  // The owner approves from the channel's request list (the count shows when the tab regains focus, or within 15 s).
  await owner.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await owner.page.getByRole('button', { name: /^Join requests · 1/ }).click();
  await owner.page.getByRole('button', { name: 'Approve bob' }).waitFor();
  await screenshot(owner.page, 'join-requests');
  await owner.page.getByRole('button', { name: 'Approve bob' }).click();
  await owner.page.getByText('No one is waiting.').waitFor();
  await owner.page.keyboard.press('Escape');

  // Bob's app learns it on its next look at the directory (here: the tab regains focus).
  await bob.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await openChannel(bob.page, 'leads');
  await expect.poll(() => texts(bob.page), SOON).toEqual(['Welcome, leads: agenda is in the doc']);
  await send(bob.page, 'Thanks for having me');
  await expect.poll(() => texts(owner.page), SOON).toEqual(['Welcome, leads: agenda is in the doc', 'Thanks for having me']);
  await owner.context.close();
  await bob.context.close();
}, 60_000);
