import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MichatObject } from '@michat/protocol';
import { decodePayload, type MichatClient } from '../../src/index.ts';
import { buildBrowserBundle } from '../../scripts/build-browser.ts';
import { PASSWORD, eventually, startClientFixture, type ClientFixture } from '../fixture.ts';
import { StaticFront } from './static-front.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The page's message list, one line per message. */
async function lines(page: Page): Promise<string[]> {
  return page.locator('#messages li').allTextContents();
}

describe('the minimal static HTML page (examples/minimal.html) in Chromium', () => {
  let f: ClientFixture;
  let front: StaticFront;
  let context: BrowserContext;
  let profileDir: string;
  let bob: MichatClient;
  const toBob: string[] = [];

  beforeAll(async () => {
    await access(CHROMIUM).catch(() => {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/ensure-test-deps.sh does)`);
    });
    const bundle = await buildBrowserBundle();
    f = await startClientFixture();
    front = await StaticFront.start(
      {
        '/examples/minimal.html': fileURLToPath(new URL('../../examples/minimal.html', import.meta.url)),
        '/dist/michat.js': bundle,
        '/dist/michat.js.map': `${bundle}.map`,
      },
      f.server.url,
    );
    profileDir = await mkdtemp(join(tmpdir(), 'michat-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const alice = await f.user('alice');
    bob = await f.user('bob');
    const channel = await f.channel([alice, bob]);
    await bob.sendText(channel, 'welcome, alice');
    await alice.close();
    await bob.subscribe(channel, (o: MichatObject) => {
      const p = decodePayload(o);
      if (p.type === 'text') toBob.push(p.text);
    }).ready;
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await front?.close();
    await f?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it('logs in, shows the history, sends and receives', async () => {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${front.url}/examples/minimal.html`);
    await page.fill('#login input[name="username"]', 'alice');
    await page.fill('#login input[name="password"]', PASSWORD);
    await page.click('#login button');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'online');
    expect(await page.locator('#login').isHidden()).toBe(true);
    await expect.poll(() => lines(page), { timeout: 10_000 }).toEqual(['bob: welcome, alice']);

    await page.fill('#compose input[name="text"]', 'hello from the browser');
    await page.click('#compose button');
    await eventually(() => toBob.includes('hello from the browser'), 10_000, 'bob receives the browser’s message');
    await expect.poll(() => lines(page), { timeout: 10_000 }).toEqual(['bob: welcome, alice', 'alice: hello from the browser']);

    await bob.sendText((await bob.me()).teams[0]!.channels[0]!.key, 'hi, browser');
    await expect.poll(() => lines(page), { timeout: 10_000 }).toContain('bob: hi, browser');
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('a reload is still signed in and shows the history from IndexedDB', async () => {
    const page = await context.newPage();
    await page.goto(`${front.url}/examples/minimal.html`);
    await expect.poll(() => lines(page), { timeout: 10_000 }).toEqual(['bob: welcome, alice', 'alice: hello from the browser', 'bob: hi, browser']);
    expect(await page.locator('#login').isHidden()).toBe(true);
    await page.close();
  });

  it('offline: the banner says so, a message waits as pending and is sent when the network is back', async () => {
    const page = await context.newPage();
    await page.goto(`${front.url}/examples/minimal.html`);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'online');
    await context.setOffline(true);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent !== 'online');
    await page.fill('#compose input[name="text"]', 'written offline');
    await page.click('#compose button');
    await expect.poll(() => lines(page), { timeout: 10_000 }).toContain('alice: written offline [pending]');
    expect(toBob).not.toContain('written offline');
    await context.setOffline(false);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'online', undefined, { timeout: 10_000 });
    await eventually(() => toBob.includes('written offline'), 10_000, 'bob receives it');
    await expect.poll(() => lines(page), { timeout: 10_000 }).toContain('alice: written offline');
    await page.close();
  });
});
