import type { Channel, Session } from '@michat/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SOON, axeViolations, openChannel, screenshot, send, signIn, startWorld, texts, type World } from './harness.ts';

/**
 * The channel details panel, with two people in two browser profiles: alice owns the
 * channels (she made them), bob is a member. Everything checked is on screen.
 */
let world: World;
let alice: Awaited<ReturnType<World['person']>>;
let bob: Awaited<ReturnType<World['person']>>;

beforeAll(async () => {
  world = await startWorld();
  const owner: Session = await world.user('alice');
  await world.user('bob');
  const team = await world.team('core', ['alice', 'bob']);
  const channel = async (name: string, topic: string, visibility = 'public') => {
    const c = await world.api<Channel>('POST', `/api/teams/${team.id}/channels`, { name, visibility, topic }, owner.accessToken);
    await world.api('POST', `/api/channels/${c.id}/members`, { username: 'bob' }, owner.accessToken);
  };
  await channel('plans', 'Roadmap and planning');
  await channel('lobby', 'Say hi');
  await channel('secret', 'Launch prep', 'private');
  await channel('random', 'Anything goes');
  alice = await world.person();
  bob = await world.person();
  await signIn(alice.page, 'alice');
  await signIn(bob.page, 'bob');
}, 60_000);

afterAll(async () => {
  await world?.close();
});

const details = (page: Page, name: string) => page.getByRole('dialog', { name: `Channel details · #${name}` });
const navItem = (page: Page, name: string) => page.locator(`[data-nav-item][data-channel="${name}"]`);
/** The people of a list as one reads them (name and pills; the avatars' initials aside). */
const rows = async (list: ReturnType<Page['getByRole']>) => (await list.locator('li .title').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
/** The app looks at the directory again when its tab regains focus (else within 15 s). */
const refocus = (page: Page) => page.evaluate(() => window.dispatchEvent(new Event('focus')));

async function openDetails(page: Page, channel: string, tab?: 'Members') {
  await openChannel(page, channel);
  await page.getByRole('button', { name: 'Channel details', exact: true }).click();
  await details(page, channel).waitFor();
  if (tab) await page.getByRole('tab', { name: /^Members/ }).click();
}

test('the owner edits the topic and the member sees it; the member sees no owner controls', async () => {
  await openChannel(bob.page, 'plans');
  await expect.poll(() => bob.page.getByTestId('channel-topic').textContent(), SOON).toBe('Roadmap and planning');

  await openDetails(alice.page, 'plans');
  const panel = details(alice.page, 'plans');
  await panel.getByLabel('Topic').fill('Ship v2 on Friday, freeze on Thursday');
  await panel.getByRole('button', { name: 'Save topic' }).click();
  await panel.getByRole('status').filter({ hasText: 'Topic saved.' }).waitFor();
  await alice.page.keyboard.press('Escape');
  await expect.poll(() => alice.page.getByTestId('channel-topic').textContent(), SOON).toBe('Ship v2 on Friday, freeze on Thursday');

  await refocus(bob.page);
  await expect.poll(() => bob.page.getByTestId('channel-topic').textContent(), SOON).toBe('Ship v2 on Friday, freeze on Thursday');
  await bob.page.getByRole('note', { name: 'Channel topic' }).filter({ hasText: 'Ship v2 on Friday' }).waitFor();

  // Bob's panel: the facts, read-only; the members without remove or ban.
  await openDetails(bob.page, 'plans');
  const his = details(bob.page, 'plans');
  await his.getByText('Ship v2 on Friday, freeze on Thursday').waitFor();
  await his.getByText('Public — anyone in the team can join').waitFor();
  await his.getByText('No limit').waitFor();
  expect(await his.getByRole('button', { name: /Save topic|Archive channel|Save capacity/ }).count()).toBe(0);
  await his.getByRole('tab', { name: 'Members · 2' }).click();
  const list = his.getByRole('list', { name: 'Members of #plans' });
  await expect.poll(() => rows(list), SOON).toEqual(['alice owner', 'bob you']);
  expect(await his.getByRole('button', { name: /^(Remove|Ban) / }).count()).toBe(0);
  await bob.page.keyboard.press('Escape');
  await his.waitFor({ state: 'detached' });
}, 60_000);

test('a member leaves a channel after confirming; it leaves their sidebar', async () => {
  await openDetails(bob.page, 'lobby');
  const panel = details(bob.page, 'lobby');
  await panel.getByRole('button', { name: 'Leave channel' }).click();
  await panel.getByText('Leave #lobby? You can join again from Browse channels.').waitFor();
  await panel.getByRole('button', { name: 'Leave #lobby' }).click();
  await panel.waitFor({ state: 'detached' });
  await bob.page.getByRole('status').filter({ hasText: 'You left #lobby.' }).waitFor();
  await expect.poll(() => navItem(bob.page, 'lobby').count(), SOON).toBe(0);
  // A public channel: still there to join again.
  await bob.page.getByRole('button', { name: 'Browse channels' }).first().click();
  await bob.page.getByRole('button', { name: 'Join: lobby' }).waitFor();
  await bob.page.keyboard.press('Escape');
  await bob.page.getByRole('dialog', { name: 'Browse channels' }).waitFor({ state: 'detached' });
}, 60_000);

test('the owner removes a member, who can no longer read the channel', async () => {
  await openChannel(alice.page, 'secret');
  await send(alice.page, 'The launch checklist is pinned in the doc');
  await openChannel(bob.page, 'secret');
  await expect.poll(() => texts(bob.page), SOON).toEqual(['The launch checklist is pinned in the doc']);

  await openDetails(alice.page, 'secret', 'Members');
  const panel = details(alice.page, 'secret');
  await panel.getByRole('button', { name: 'Remove bob' }).click();
  await panel.getByText('Remove bob from #secret? They can no longer read it.').waitFor();
  await panel.getByRole('button', { name: 'Remove bob' }).click();
  await panel.getByRole('status').filter({ hasText: 'bob was removed from #secret.' }).waitFor();
  await expect.poll(() => rows(panel.getByRole('list', { name: 'Members of #secret' })), SOON).toEqual(['alice owner you']);
  await alice.page.keyboard.press('Escape');

  // Bob's app hears it at once (the server ends his subscription): gone, and said so.
  await bob.page.getByRole('status').filter({ hasText: 'You are no longer a member of #secret.' }).waitFor();
  await expect.poll(() => navItem(bob.page, 'secret').count(), SOON).toBe(0);
  await expect.poll(() => bob.page.getByText('The launch checklist is pinned in the doc').count(), SOON).toBe(0);
  await bob.page.getByRole('button', { name: 'Dismiss' }).click();

  // Added back from the same panel, it is his again.
  await openDetails(alice.page, 'secret', 'Members');
  await panel.getByLabel('Add someone from the team').fill('bob');
  await panel.getByRole('button', { name: 'Add', exact: true }).click();
  await panel.getByRole('status').filter({ hasText: 'bob was added to #secret.' }).waitFor();
  await alice.page.keyboard.press('Escape');
  await refocus(bob.page);
  await openChannel(bob.page, 'secret');
  await expect.poll(() => texts(bob.page), SOON).toEqual(['The launch checklist is pinned in the doc']);
}, 60_000);

test('ban and unban; refusals from the server are shown', async () => {
  await openChannel(bob.page, 'random');
  await openDetails(alice.page, 'random', 'Members');
  const panel = details(alice.page, 'random');
  await panel.getByRole('button', { name: 'Ban bob' }).click();
  await panel.getByText('Ban bob from #random? They are removed and cannot come back until unbanned.').waitFor();
  await panel.getByRole('button', { name: 'Ban bob' }).click();
  await panel.getByRole('status').filter({ hasText: 'bob is banned from #random.' }).waitFor();
  const banned = panel.getByRole('list', { name: 'Banned from #random' });
  await banned.getByText('Banned by alice').waitFor();

  await bob.page.getByRole('status').filter({ hasText: 'You are no longer a member of #random.' }).waitFor();
  await expect.poll(() => navItem(bob.page, 'random').count(), SOON).toBe(0);
  await bob.page.getByRole('button', { name: 'Dismiss' }).click();
  await bob.page.getByRole('button', { name: 'Browse channels' }).first().click();
  await bob.page.getByRole('button', { name: 'Join: random' }).click();
  await bob.page.getByRole('alert').filter({ hasText: 'Could not join #random: banned from this channel' }).waitFor();

  await banned.getByRole('button', { name: 'Unban bob' }).click();
  await panel.getByRole('status').filter({ hasText: 'bob may join #random again.' }).waitFor();
  await panel.getByText('No one is banned.').waitFor();
  await alice.page.keyboard.press('Escape');

  await bob.page.getByRole('button', { name: 'Join: random' }).click();
  await bob.page.getByRole('dialog', { name: 'Browse channels' }).waitFor({ state: 'detached' });
  await navItem(bob.page, 'random').waitFor();

  // Capacity below the member count: the server's Conflict, in words.
  await openDetails(alice.page, 'plans');
  const plans = details(alice.page, 'plans');
  await plans.getByLabel('Capacity').fill('1');
  await plans.getByRole('button', { name: 'Save capacity' }).click();
  await plans.getByRole('alert').filter({ hasText: 'Could not change the capacity: the channel has 2 members; capacity cannot be lower' }).waitFor();
  await plans.getByLabel('Capacity').fill('12');
  await plans.getByRole('button', { name: 'Save capacity' }).click();
  await plans.getByRole('status').filter({ hasText: 'At most 12 people can be in #plans.' }).waitFor();
  await plans.getByText('2 of at most 12').waitFor();
  await screenshot(alice.page, 'channel-details');
  expect(await axeViolations(alice.page)).toEqual([]);
  await alice.page.getByRole('tab', { name: 'Members · 2' }).click();
  await plans.getByRole('list', { name: 'Banned from #plans' }).waitFor();
  expect(await axeViolations(alice.page)).toEqual([]);
  await alice.page.keyboard.press('Escape');
}, 60_000);

test('the owner archives the channel: the member sees it read-only, composer disabled', async () => {
  await openChannel(bob.page, 'plans');
  const composer = bob.page.getByRole('textbox', { name: 'Message #plans' });
  expect(await composer.isEnabled()).toBe(true);

  await openDetails(alice.page, 'plans');
  const panel = details(alice.page, 'plans');
  await panel.getByRole('button', { name: 'Archive channel' }).click();
  await panel.getByRole('status').filter({ hasText: '#plans is archived: read-only for everyone.' }).waitFor();
  await panel.getByRole('button', { name: 'Unarchive channel' }).waitFor();
  await alice.page.keyboard.press('Escape');
  await alice.page.getByTestId('archived-note').waitFor();
  expect(await alice.page.getByRole('textbox', { name: 'Message #plans' }).isDisabled()).toBe(true);

  await refocus(bob.page);
  const note = bob.page.getByRole('note').filter({ hasText: 'This channel is archived: you can read it, but no one can post.' });
  await note.waitFor(SOON);
  expect(await composer.isDisabled()).toBe(true);
  expect(await bob.page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);

  // Unarchived, it takes messages again.
  await openDetails(alice.page, 'plans');
  await details(alice.page, 'plans').getByRole('button', { name: 'Unarchive channel' }).click();
  await details(alice.page, 'plans').getByRole('button', { name: 'Archive channel' }).waitFor();
  await alice.page.keyboard.press('Escape');
  await refocus(bob.page);
  await note.waitFor({ state: 'detached', ...SOON });
  await send(bob.page, 'Back in business');
  await expect.poll(() => texts(alice.page), SOON).toContain('Back in business');
}, 60_000);

test('on a phone the panel fits the screen', async () => {
  const phone = await world.person({ phone: true });
  await signIn(phone.page, 'alice');
  await phone.page.getByRole('button', { name: /Open channels/ }).click();
  await navItem(phone.page, 'plans').click();
  await phone.page.getByRole('button', { name: 'Channel details', exact: true }).click();
  const panel = details(phone.page, 'plans');
  await panel.waitFor();
  const box = await panel.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  await panel.getByRole('tab', { name: /^Members/ }).click();
  await panel.getByRole('button', { name: 'Ban bob' }).click();
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await panel.getByRole('button', { name: 'Remove bob' }).waitFor();
  await phone.context.close();
}, 60_000);
