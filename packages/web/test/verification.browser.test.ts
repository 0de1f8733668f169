import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { Session } from '@michat/protocol';
import { SOON, axeViolations, openChannel, screenshot, send, signIn, startWorld, texts, type World } from './harness.ts';

let world: World;
let alice: Session;

beforeAll(async () => {
  world = await startWorld();
  alice = await world.user('alice');
  await world.user('bob');
  await world.team('core', ['alice', 'bob']);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

/** Opens the verify view for `other` from the lock in the channel header (Channel details → Encryption). */
async function openVerify(page: Page, other: string): Promise<string> {
  await page.getByRole('button', { name: /^End-to-end encrypted/ }).click();
  const dialog = page.getByRole('dialog', { name: /^Channel details/ });
  await dialog.getByRole('tab', { name: 'Encryption', selected: true }).waitFor();
  await dialog.getByRole('button', { name: `Verify ${other}` }).click();
  const number = dialog.getByTestId('safety-number');
  await number.waitFor(SOON);
  return ((await number.textContent()) ?? '').replace(/(\d{5})(?=\d)/g, '$1 ');
}

test('two people compare the same safety number, mark each other verified, and a changed key is shown loudly', async () => {
  const a = await world.person();
  const b = await world.person();
  await signIn(a.page, 'alice');
  await signIn(b.page, 'bob');
  await openChannel(a.page, 'general');
  await openChannel(b.page, 'general');
  // Both devices are in the channel's group (their keys are registered): they read each other.
  await send(a.page, 'Shall we verify?');
  await expect.poll(() => texts(b.page), SOON).toContain('Shall we verify?');

  // The lock in the header says the channel is end-to-end encrypted, and explains it.
  const lock = a.page.getByRole('button', { name: /^End-to-end encrypted/ });
  expect(await lock.getAttribute('title')).toMatch(/only the members’ devices can open them/);

  const aliceSees = await openVerify(a.page, 'bob');
  const bobSees = await openVerify(b.page, 'alice');
  expect(aliceSees).toMatch(/^\d{5}( \d{5}){11}$/);
  expect(bobSees).toBe(aliceSees);
  const dialog = a.page.getByRole('dialog', { name: /^Channel details/ });
  await expect.poll(() => dialog.textContent()).toContain('in person or on a call');
  await screenshot(a.page, 'verify');
  expect(await axeViolations(a.page)).toEqual([]);

  await dialog.getByRole('button', { name: 'The numbers match: mark as verified' }).click();
  await dialog.getByRole('status').filter({ hasText: 'You verified bob’s devices.' }).waitFor(SOON);
  await dialog.getByRole('button', { name: '← All devices' }).click();
  const bobRow = dialog.getByRole('listitem').filter({ has: a.page.getByRole('button', { name: 'Verify bob' }) });
  await bobRow.getByText('Verified', { exact: true }).waitFor(SOON);
  const bobDevices = dialog.getByRole('list', { name: 'bob’s devices' });
  expect(await bobDevices.textContent()).toContain(', verified');
  // Bob's browser (the harness's own API sign-in of bob is a device without a key: not counted).
  const keyed = bobDevices.locator('li:has(.fingerprint)');
  expect(await keyed.count()).toBe(1);
  const bobDevice = Number(await keyed.getAttribute('data-device-id'));
  const bobFingerprint = (await keyed.locator('.fingerprint').textContent()) ?? '';
  await screenshot(a.page, 'encryption');
  expect(await axeViolations(a.page)).toEqual([]);
  await a.page.keyboard.press('Escape');
  await a.page.getByRole('button', { name: 'End-to-end encrypted, every device verified' }).waitFor(SOON);
  // Bob has verified nobody: his view of Alice is unchanged.
  expect(await b.page.getByRole('dialog').getByRole('button', { name: 'The numbers match: mark as verified' }).isVisible()).toBe(true);
  await b.page.keyboard.press('Escape');

  // Settings → Devices shows each device's own fingerprint: Bob's is the one Alice verified.
  await b.page.getByRole('button', { name: 'Settings' }).click();
  await b.page.getByRole('tab', { name: 'Devices' }).click();
  await b.page.getByTestId('own-fingerprint').waitFor(SOON);
  expect(await b.page.getByTestId('own-fingerprint').locator('.fingerprint').textContent()).toBe(bobFingerprint);
  expect(await axeViolations(b.page)).toEqual([]);
  await b.page.keyboard.press('Escape');

  // A key other than the one Alice's browser saw first for Bob's device (the server keeps keys
  // set once, so the change is made where the browser keeps what it saw): a loud warning.
  await a.page.evaluate(async (device) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('michat');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const key = `e2ee/seen/${device}`;
    const tx = db.transaction('records', 'readwrite');
    const records = tx.objectStore('records');
    const seen = await new Promise<{ fingerprint: string }>((resolve) => {
      const get = records.get(key);
      get.onsuccess = () => resolve(get.result as { fingerprint: string });
    });
    records.put({ ...seen, fingerprint: '11111 22222 33333 44444 55555 66666 77777 88888 99999 00000 12345 67890' }, key);
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }, bobDevice);
  await a.page.evaluate(() => window.dispatchEvent(new Event('focus'))); // the app looks at the directory again
  const banner = a.page.getByTestId('key-changed-banner');
  await banner.waitFor(SOON);
  expect(await banner.textContent()).toContain(`bob’s device ${bobDevice}`);
  expect(await banner.getByRole('button', { name: /dismiss|close/i }).count()).toBe(0);
  await a.page.getByRole('button', { name: /^End-to-end encrypted. Warning/ }).waitFor(SOON);
  await screenshot(a.page, 'key-changed');
  expect(await axeViolations(a.page)).toEqual([]);
  await a.page.emulateMedia({ colorScheme: 'dark' });
  expect(await axeViolations(a.page)).toEqual([]);
  await a.page.emulateMedia({ colorScheme: 'light' });

  // Re-verifying (after comparing the number again) is the only way out.
  await banner.getByRole('button', { name: 'Verify bob' }).click();
  const verify = a.page.getByRole('dialog', { name: 'Verify bob' });
  await verify.getByRole('alert').filter({ hasText: 'not the one this browser saw first' }).waitFor(SOON);
  expect(((await verify.getByTestId('safety-number').textContent()) ?? '').replace(/(\d{5})(?=\d)/g, '$1 ')).toBe(aliceSees);
  expect(await axeViolations(a.page)).toEqual([]);
  await verify.getByRole('button', { name: 'The numbers match: mark as verified' }).click();
  await banner.waitFor({ state: 'detached', ...SOON });
  await a.page.keyboard.press('Escape');
  await a.page.getByRole('button', { name: 'End-to-end encrypted, every device verified' }).waitFor(SOON);

  // A direct message has the lock too; it opens the devices of the two people.
  await world.api('POST', '/api/dms', { usernames: ['bob'] }, alice.accessToken);
  await a.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await openChannel(a.page, 'bob');
  await a.page.getByRole('button', { name: 'End-to-end encrypted, every device verified' }).click();
  const dm = a.page.getByRole('dialog', { name: 'Encryption · bob' });
  await dm.getByRole('button', { name: 'Verify bob' }).waitFor(SOON);
  expect(await dm.getByRole('list', { name: 'bob’s devices' }).textContent()).toContain(bobFingerprint);
  expect(await axeViolations(a.page)).toEqual([]);

  await a.context.close();
  await b.context.close();
}, 90_000);
