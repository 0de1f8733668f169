import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { initOrganization } from '@michat/core';
import { startServer, type RunningServer } from '@michat/server';
import type { Channel, Session } from '@michat/protocol';
import { Link } from './link.ts';

export const CHROMIUM = process.env.MICHAT_CHROMIUM ?? '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery';
export const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(WEB_DIR, 'dist');
/**
 * Screenshots go to docs/screenshots/ with MICHAT_SCREENSHOTS=1 (to refresh the docs), else to a
 * temporary folder, so an ordinary test run leaves the work tree clean.
 */
export const SCREENSHOTS = process.env.MICHAT_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url)) : join(tmpdir(), 'michat-web-screenshots');

/** How long a person would wait for something to show up. */
export const SOON = { timeout: 10_000 };

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestSource(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

async function isFresh(): Promise<boolean> {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) return false;
  // The app bundles the SDK and the protocol from source: their edits count too.
  const dirs = ['src', '../client/src', '../protocol/src'].map((d) => join(WEB_DIR, d));
  const sources = Math.max(...(await Promise.all(dirs.map((d) => newestSource(d)))), (await stat(join(WEB_DIR, 'index.html'))).mtimeMs);
  return (await stat(index)).mtimeMs >= sources;
}

/**
 * Builds the app when dist/ is missing or older than its sources (npm install builds it once;
 * this keeps a developer's edits honest). Test files run in parallel: one builds, under a
 * lock directory, the others wait for it.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(WEB_DIR, '.build-lock');
  for (;;) {
    if (await isFresh()) return;
    try {
      await mkdir(lock);
    } catch {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (await isFresh()) return;
      const { build } = await import('vite');
      await build({ root: WEB_DIR, configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
      return;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

export interface World {
  server: RunningServer;
  browser: Browser;
  admin: Session;
  /** Whether the michat server itself serves the app at `/` (else the links serve dist/). */
  serverServesApp: boolean;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<T>;
  user(username: string): Promise<Session>;
  team(name: string, members: string[]): Promise<{ id: number; general: Channel }>;
  /** A browser profile behind its own link (its own origin port, storage and network). */
  person(options?: { phone?: boolean }): Promise<{ context: BrowserContext; page: Page; link: Link }>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  await ensureBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'michat-web-'));
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', drainMs: 100 });
  await initOrganization(server.node.directory, { org: 'acme', username: 'admin', password: PASSWORD });
  const home = await fetch(server.url + '/').then((r) => r.text());
  const serverServesApp = home.includes('data-michat-app');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const links: Link[] = [];
  const api = async <T>(method: string, path: string, body?: unknown, token?: string): Promise<T> => {
    const res = await fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const login = (username: string) => api<Session>('POST', '/api/auth/login', { username, password: PASSWORD });
  const admin = await login('admin');
  return {
    server,
    browser,
    admin,
    serverServesApp,
    api,
    async user(username) {
      await api('POST', '/api/users', { username, password: PASSWORD }, admin.accessToken);
      return login(username);
    },
    async team(name, members) {
      const team = await api<{ id: number }>('POST', '/api/teams', { name }, admin.accessToken);
      const general = await api<Channel>('POST', `/api/teams/${team.id}/channels`, { name: 'general', topic: 'Company-wide announcements and work-based matters' }, admin.accessToken).catch(() =>
        api<Channel>('POST', `/api/teams/${team.id}/channels`, { name: 'general' }, admin.accessToken),
      );
      for (const username of members) {
        await api('POST', `/api/teams/${team.id}/members`, { username }, admin.accessToken);
        await api('POST', `/api/channels/${general.id}/members`, { username }, admin.accessToken);
      }
      return { id: team.id, general };
    },
    async person(options = {}) {
      const link = new Link(new URL(server.url), !serverServesApp);
      await link.start();
      links.push(link);
      const context = await browser.newContext({
        baseURL: link.url,
        viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
        deviceScaleFactor: 1,
        ...(options.phone ? { isMobile: true, hasTouch: true } : {}),
        acceptDownloads: true,
        colorScheme: 'light',
        reducedMotion: 'reduce',
      });
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/.test(m.text())) console.error('CSP:', m.text());
      });
      return { context, page, link };
    },
    async close() {
      await browser.close().catch(() => undefined);
      for (const l of links) await l.cut();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Channels and direct messages' }).waitFor();
}

export async function openChannel(page: Page, name: string): Promise<void> {
  await page.locator(`[data-nav-item][data-channel="${name}"]`).click();
  await page.getByTestId('channel-title').filter({ hasText: name }).waitFor();
}

export async function send(page: Page, text: string, composer = 'Message #'): Promise<void> {
  const box = page.getByRole('textbox', { name: new RegExp(`^${composer.replace(/[#.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first();
  await box.fill(text);
  await box.press('Enter');
}

/** Texts of the messages in a list, in display order. */
export function texts(page: Page, list = 'Messages in'): Promise<string[]> {
  return page.getByRole('log', { name: new RegExp(`^${list}`) }).locator('[data-testid="message-text"]').evaluateAll((els) => els.filter((e) => !e.closest('.thread-root')).map((e) => (e.textContent ?? '').trim()));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Accessibility problems axe-core finds on the page as it is now (rule id, impact, where). */
export async function axeViolations(page: Page): Promise<string[]> {
  const source = await readFile(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8');
  await page.evaluate(source); // through the debugger: the page's CSP rightly refuses inline scripts
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  });
}
