import { afterAll, beforeAll, expect, test } from 'vitest';
import { PASSWORD, SOON, openChannel, send, signIn, startWorld, texts, type World } from './harness.ts';

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await world.user('alice');
  await world.team('core', ['alice']);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

test('an invite link opens the sign-up form; the new account lands in the team', async () => {
  const admin = await world.person();
  await signIn(admin.page, 'admin');
  await admin.page.getByRole('button', { name: 'Settings' }).click();
  await admin.page.getByRole('tab', { name: 'Invites' }).click();
  await admin.page.getByLabel('Add them to').selectOption({ label: 'core' });
  await admin.page.getByRole('button', { name: 'Create invite link' }).click();
  const link = await admin.page.getByTestId('invite-link').inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);

  const newcomer = await world.person();
  await newcomer.page.goto(new URL(link).pathname);
  await newcomer.page.getByRole('heading', { name: 'Join your team' }).waitFor();
  await newcomer.page.getByLabel('Username').fill('erin');
  await newcomer.page.getByLabel('Password').fill(PASSWORD);
  await newcomer.page.getByRole('button', { name: 'Create account' }).click();
  await newcomer.page.getByRole('navigation', { name: 'Channels and direct messages' }).waitFor();
  expect(new URL(newcomer.page.url()).pathname).toBe('/');
  await newcomer.page.getByRole('button', { name: 'Browse channels' }).first().click();
  await newcomer.page.getByRole('button', { name: 'Join: general' }).click();
  await openChannel(newcomer.page, 'general');
  await send(newcomer.page, 'Hi all, erin here');
  await expect.poll(() => texts(newcomer.page), SOON).toEqual(['Hi all, erin here']);
  await admin.context.close();
  await newcomer.context.close();
}, 60_000);

test('the devices page signs another device out', async () => {
  const laptop = await world.person();
  const phone = await world.person({ phone: true });
  await signIn(laptop.page, 'alice');
  await signIn(phone.page, 'alice');

  await laptop.page.getByRole('button', { name: 'Settings' }).click();
  await laptop.page.getByRole('tab', { name: 'Devices' }).click();
  const devices = laptop.page.getByRole('list', { name: 'Signed-in devices' });
  await devices.getByText('This device').waitFor();
  const others = devices.getByRole('button', { name: /^Sign out / });
  const before = await others.count();
  expect(before).toBeGreaterThan(0);
  await others.last().click(); // the phone signed in last
  await expect.poll(() => others.count(), SOON).toBe(before - 1);

  // The phone's session is refused from now on: it lands on the sign-in form, told why.
  await phone.page.reload();
  await phone.page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
  await laptop.context.close();
  await phone.context.close();
}, 60_000);
