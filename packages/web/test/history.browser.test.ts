import { MichatClient, encodePayload, type Session } from '@michat/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PASSWORD, SOON, openChannel, signIn, startWorld, texts, type World } from './harness.ts';

const TOTAL = 300;
let world: World;
let bob: MichatClient;

beforeAll(async () => {
  world = await startWorld();
  await world.user('alice');
  await world.user('bob');
  const { general } = await world.team('core', ['alice', 'bob']);
  const session = await world.api<Session>('POST', '/api/auth/login', { username: 'bob', password: PASSWORD });
  bob = new MichatClient(world.server.url, session);
  for (let i = 1; i <= TOTAL; i++) await bob.publish(general, encodePayload({ type: 'text', text: `message ${i}` }));
}, 90_000);

afterAll(async () => {
  await bob?.close();
  await world?.close();
});

test('a long channel keeps a window of messages in the page and pages older ones on scroll', async () => {
  const { page, context } = await world.person();
  await signIn(page, 'alice');
  await openChannel(page, 'general');
  await expect.poll(async () => (await texts(page)).at(-1), SOON).toBe(`message ${TOTAL}`);
  const shown = async () => (await texts(page)).length;
  const first = await shown();
  expect(first).toBeLessThan(TOTAL);

  // Scrolling to the top adds older messages above, keeping the reader's place.
  const log = page.getByRole('log', { name: 'Messages in #general' });
  for (let i = 0; i < 10 && (await texts(page))[0] !== 'message 1'; i++) {
    await log.evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await page.waitForTimeout(100);
  }
  expect((await texts(page))[0]).toBe('message 1');
  expect(await shown()).toBe(TOTAL);
  const order = (await texts(page)).map((t) => Number(t.split(' ')[1]));
  expect(order).toEqual([...order].sort((a, b) => a - b));

  // Back at the bottom, the window shrinks again.
  await log.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
    el.dispatchEvent(new Event('scroll'));
  });
  await expect.poll(shown, SOON).toBe(first);
  await context.close();
}, 90_000);
