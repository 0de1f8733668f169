import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SOON, openChannel, screenshot, send, signIn, startWorld, texts, type World } from './harness.ts';

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await world.user('alice');
  await world.user('bob');
  await world.team('core', ['alice', 'bob']);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('two people chat', () => {
  test('in a channel and in a thread, in real time', async () => {
    const a = await world.person();
    const b = await world.person();
    await signIn(a.page, 'alice');
    await signIn(b.page, 'bob');
    await openChannel(a.page, 'general');
    await openChannel(b.page, 'general');

    await send(a.page, 'Hello **team** — the release is `v1.4`');
    await expect.poll(() => texts(b.page), SOON).toContain('Hello team — the release is v1.4');
    await send(b.page, 'Great news @alice!');
    await expect.poll(() => texts(a.page), SOON).toContain('Great news @alice!');

    // Bob replies in a thread under Alice's message.
    const root = b.page.getByRole('article').filter({ hasText: 'Hello team' });
    await root.hover();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    await send(b.page, 'Shipping it after lunch', 'Reply in thread');
    await expect.poll(() => texts(b.page, 'Replies'), SOON).toEqual(['Shipping it after lunch']);
    await a.page.getByRole('button', { name: /^1 reply/ }).click();
    await expect.poll(() => texts(a.page, 'Replies'), SOON).toEqual(['Shipping it after lunch']);
    await send(a.page, 'Thanks!', 'Reply in thread');
    await expect.poll(() => texts(b.page, 'Replies'), SOON).toEqual(['Shipping it after lunch', 'Thanks!']);
    // Thread replies stay out of the channel's list.
    expect(await texts(a.page)).not.toContain('Thanks!');

    // Markdown is rendered as elements, never as HTML: markup shows as text, unsafe links are not links.
    await send(b.page, '<img src=x onerror="window.pwned=1"> [click](javascript:window.pwned=2) _fine_ https://example.com/a');
    const hostile = a.page.getByRole('article').filter({ hasText: 'onerror' });
    await hostile.waitFor();
    expect(await hostile.locator('img').count()).toBe(0);
    expect(await hostile.locator('a').evaluateAll((els) => els.map((e) => e.getAttribute('href')))).toEqual(['https://example.com/a']);
    expect(await hostile.locator('em').textContent()).toBe('fine');
    expect(await a.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();

    // Esc closes the thread pane.
    await a.page.getByRole('textbox', { name: 'Reply in thread' }).focus();
    await a.page.keyboard.press('Escape');
    await a.page.getByRole('complementary', { name: 'Thread' }).waitFor({ state: 'detached' });
    await a.context.close();
    await b.context.close();
  });

  test('offline: three messages wait, then arrive once and in order', async () => {
    const a = await world.person();
    const b = await world.person();
    await signIn(a.page, 'alice');
    await signIn(b.page, 'bob');
    await openChannel(a.page, 'general');
    await openChannel(b.page, 'general');
    const before = await texts(b.page);

    // The cable is pulled: the browser says offline and the connection drops.
    await a.context.setOffline(true);
    await a.link.cut();
    await a.page.getByTestId('offline-banner').waitFor();
    for (const text of ['offline one', 'offline two', 'offline three']) await send(a.page, text);
    await expect.poll(() => a.page.locator('[data-status="pending"]').count(), SOON).toBe(3);
    await screenshot(a.page, 'offline');
    expect(await texts(b.page)).toEqual(before);

    await a.link.restore();
    await a.context.setOffline(false);
    await expect.poll(() => texts(b.page), { timeout: 20_000 }).toEqual([...before, 'offline one', 'offline two', 'offline three']);
    await expect.poll(() => a.page.locator('[data-status="pending"]').count(), SOON).toBe(0);
    await a.page.getByTestId('offline-banner').waitFor({ state: 'detached' });
    expect(await texts(a.page)).toEqual([...before, 'offline one', 'offline two', 'offline three']);
    await a.context.close();
    await b.context.close();
  }, 60_000);

  test('mentions autocomplete; edits, deletes and reactions reach the other side', async () => {
    const a = await world.person();
    const b = await world.person();
    await signIn(a.page, 'alice');
    await signIn(b.page, 'bob');
    await openChannel(a.page, 'general');
    await openChannel(b.page, 'general');

    const box = a.page.getByRole('textbox', { name: 'Message #general' });
    await box.pressSequentially('ping @bo');
    await a.page.getByRole('option', { name: 'bob' }).waitFor();
    await box.press('Enter'); // picks the suggestion
    await box.pressSequentially('about the draft');
    await box.press('Enter'); // sends
    await expect.poll(() => texts(b.page), SOON).toContain('ping @bob about the draft');
    const mention = b.page.getByRole('article').filter({ hasText: 'ping @bob about the draft' });
    await expect.poll(() => mention.evaluate((e) => e.classList.contains('mentioned')), SOON).toBe(true);

    // Alice edits it (ArrowUp in the empty composer edits her last message).
    await box.press('ArrowUp');
    const editor = a.page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('ping @bob about the final draft');
    await editor.press('Enter');
    await expect.poll(() => texts(b.page), SOON).toContain('ping @bob about the final draft');
    await b.page.getByRole('article').filter({ hasText: 'final draft' }).getByText('(edited)').waitFor();

    // Bob reacts; Alice sees it.
    const onB = b.page.getByRole('article').filter({ hasText: 'final draft' });
    await onB.hover();
    await onB.getByRole('button', { name: 'Add reaction' }).click();
    await b.page.getByRole('menuitem', { name: 'React with 🎉' }).click();
    await a.page.getByRole('button', { name: /^🎉 1: bob/ }).waitFor();

    // Alice deletes it; Bob sees the tombstone.
    a.page.once('dialog', (d) => void d.accept());
    const onA = a.page.getByRole('article').filter({ hasText: 'final draft' });
    await onA.hover();
    await onA.getByRole('button', { name: 'Delete message' }).click();
    await b.page.getByText('This message was deleted.').waitFor();
    expect(await texts(b.page)).not.toContain('ping @bob about the final draft');
    await a.context.close();
    await b.context.close();
  }, 60_000);
});
