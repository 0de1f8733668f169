import { MichatClient, encodePayload, type Channel, type Session } from '@michat/client';
import { toHex } from '@michat/protocol';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PASSWORD, SOON, axeViolations, openChannel, screenshot, signIn, startWorld, texts, type World } from './harness.ts';

/**
 * The main screens, with a lively conversation, saved to docs/screenshots/ (1280×800 desktop,
 * 390×844 phone). The people other than Alice are SDK clients in this process.
 */
let world: World;
const clients: MichatClient[] = [];
let general: Channel;
let design: Channel;
let random: Channel;

async function as(username: string): Promise<MichatClient> {
  const session = await world.api<Session>('POST', '/api/auth/login', { username, password: PASSWORD, deviceName: `${username}'s laptop` });
  const client = new MichatClient(world.server.url, session);
  clients.push(client);
  await client.connect();
  return client;
}

async function say(client: MichatClient, channel: Channel, text: string, extra: { threadRoot?: string; mentions?: number[] } = {}): Promise<string> {
  const { object } = await client.publish(channel, encodePayload({ type: 'text', text, ...(extra.mentions ? { mentions: extra.mentions } : {}) }), extra.threadRoot ? { threadRoot: Uint8Array.from(extra.threadRoot.match(/../g)!.map((h) => parseInt(h, 16))) } : {});
  return toHex(object.name);
}

async function react(client: MichatClient, channel: Channel, target: string, emoji: string): Promise<void> {
  await client.publish(channel, encodePayload({ type: 'reaction', target, emoji, on: true }));
}

beforeAll(async () => {
  world = await startWorld();
  const alice = await world.user('alice');
  for (const u of ['bob', 'carol', 'dave']) await world.user(u);
  const core = await world.team('core', ['alice', 'bob', 'carol', 'dave']);
  general = core.general;
  const channel = async (name: string, topic: string, visibility = 'public') => {
    const c = await world.api<Channel>('POST', `/api/teams/${core.id}/channels`, { name, visibility, topic }, world.admin.accessToken);
    for (const u of ['alice', 'bob', 'carol', 'dave']) await world.api('POST', `/api/channels/${c.id}/members`, { username: u }, world.admin.accessToken);
    return c;
  };
  design = await channel('design', 'Critiques, mocks and the design system');
  random = await channel('random', 'Non-work banter and water-cooler conversation');
  await channel('releases', 'Release trains, freezes and changelogs');
  await world.api(`POST`, `/api/teams/${core.id}/channels`, { name: 'leads', visibility: 'restricted', topic: 'Team leads only' }, world.admin.accessToken);

  const bob = await as('bob');
  const carol = await as('carol');
  const dave = await as('dave');
  const rc = await say(bob, general, 'Morning all! The **v1.4** release candidate is up on staging 🎉');
  await say(bob, general, 'Changelog and known issues are in the release doc.');
  await say(carol, general, "Nice. I'll run the smoke tests right after standup.");
  const checklist = await say(carol, general, 'Checklist lives in `docs/release.md` — shout if anything is missing.');
  await say(dave, general, 'Heads-up: the mobile build needs the new app icons from @alice before we can submit.', { mentions: [alice.userId] });
  await say(bob, general, 'Thread for release notes below 👇 let’s keep this channel readable.');
  await say(bob, general, 'Draft: https://example.com/changelog/1.4', { threadRoot: rc });
  await say(carol, general, 'LGTM. Maybe call out the _offline mode_ first?', { threadRoot: rc });
  await say(dave, general, '+1, that is the headline feature.', { threadRoot: rc });
  for (const [c, e] of [[carol, '🎉'], [dave, '🎉'], [dave, '🚀']] as const) await react(c, general, rc, e);
  await react(bob, general, checklist, '👍');
  await say(carol, design, 'New onboarding mocks are up — feedback welcome on the empty states.');
  await say(dave, design, 'The illustrations feel a bit heavy on mobile.');
  await say(bob, random, '@alice are you coming to the Thursday board-game night?', { mentions: [alice.userId] });
  try {
    const dm = await world.api<Channel>('POST', '/api/dms', { usernames: ['alice'] }, (bob as unknown as { session: Session }).session.accessToken);
    await say(bob, dm, 'Got a minute to look at the onboarding copy?');
  } catch {
    // direct messages not on this server yet
  }
  // Others are present in #general (presence shows on their avatars).
  for (const c of [bob, carol, dave]) c.subscribe(general, () => undefined);
}, 90_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await world?.close();
});

test('main screens', async () => {
  const { page, context } = await world.person();
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await screenshot(page, 'sign-in');
  expect(await axeViolations(page)).toEqual([]);

  await signIn(page, 'alice');
  await openChannel(page, 'general');
  await expect.poll(() => texts(page), SOON).toContain('Heads-up: the mobile build needs the new app icons from @alice before we can submit.');
  // Unread counts and mentions in the sidebar.
  const nav = (name: string) => page.locator(`[data-nav-item][data-channel="${name}"]`).textContent();
  await expect.poll(() => nav('design'), SOON).toContain('2 unread');
  await expect.poll(() => nav('random'), SOON).toContain('1 mention');
  const box = page.getByRole('textbox', { name: 'Message #general' });
  await box.fill("On it — exporting them now, they'll be in **#design** before lunch.");
  await box.press('Enter');
  await expect.poll(() => page.locator('[data-status="sent"]').count(), SOON).toBeGreaterThan(6);
  const mine = page.getByRole('article').filter({ hasText: 'On it — exporting' });
  await mine.hover();
  await mine.getByRole('button', { name: 'React with 👍' }).click();
  await page.getByText(/here$/).first().waitFor({ timeout: 15_000 }).catch(() => undefined);
  clients[0]!.typing(general);
  await page.getByText('bob is typing…').waitFor();
  await box.focus();
  await page.mouse.move(900, 420);
  await screenshot(page, 'channel');
  expect(await axeViolations(page)).toEqual([]);

  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'channel-dark');
  expect(await axeViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByRole('button', { name: /^3 replies/ }).click();
  await page.getByRole('log', { name: 'Replies' }).waitFor();
  await screenshot(page, 'thread');
  expect(await axeViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');

  await page.keyboard.press('Control+k');
  await page.getByRole('combobox', { name: 'Channel or person' }).fill('de');
  await screenshot(page, 'switcher');
  await page.keyboard.press('Enter');
  await page.getByTestId('channel-title').filter({ hasText: 'design' }).waitFor();
  await expect.poll(() => nav('design'), SOON).not.toContain('unread'); // read once opened

  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: 'Devices' }).click();
  await page.getByRole('list', { name: 'Signed-in devices' }).waitFor();
  await screenshot(page, 'devices');
  expect(await axeViolations(page)).toEqual([]);

  // Alice's phone is a new device: her desktop, still open, lets it in and shares the channel's keys.
  const phone = await world.person({ phone: true });
  await signIn(phone.page, 'alice');
  await phone.page.getByRole('button', { name: /Open channels/ }).click();
  await phone.page.locator('[data-nav-item][data-channel="general"]').click();
  await phone.page.getByTestId('channel-title').filter({ hasText: 'general' }).waitFor();
  await expect.poll(() => texts(phone.page), SOON).toContain("On it — exporting them now, they'll be in #design before lunch.");
  await screenshot(phone.page, 'phone');
  expect(await axeViolations(phone.page)).toEqual([]);
  await phone.context.close();
  await context.close();
}, 120_000);
