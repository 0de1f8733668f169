import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

/** Paths the app never answers: the API, the data plane and the operator endpoints. */
const RESERVED = /^\/(api|ws|healthz|readyz|metrics|\.well-known)(\/|$)/;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
/** The page may load its own files and talk to its own origin, nothing else. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Where `npm install` builds the web app (`packages/web/dist`); `MICHAT_WEB_DIST` overrides. */
export function defaultWebDist(): string {
  return process.env.MICHAT_WEB_DIST ?? fileURLToPath(new URL('../../web/dist/', import.meta.url));
}

export interface WebAppOptions {
  distDir?: string;
  /** The page for `/` when the app is not built (e.g. the landing page). */
  fallback?: (origin: string) => string;
}

/**
 * Serves the built web app: its files, with long caching for hashed assets, and `index.html`
 * for every other GET outside the API, so app routes such as `/invite/<code>` load the app.
 * Mount it after the API: `app.route('/', webApp({ fallback: landingPage }))`.
 */
export function webApp(options: WebAppOptions = {}): Hono {
  const root = resolve(options.distDir ?? defaultWebDist());
  const app = new Hono();
  const file = async (path: string): Promise<Uint8Array | undefined> => {
    const full = resolve(root, `.${path}`);
    if (full !== root && !full.startsWith(root + sep)) return undefined;
    try {
      return new Uint8Array(await readFile(full));
    } catch {
      return undefined;
    }
  };
  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    if (RESERVED.test(path) || path.includes('\0')) return next();
    const asset = path !== '/' && !path.endsWith('/') ? await file(path) : undefined;
    if (asset) {
      const immutable = path.startsWith('/assets/');
      return c.body(asset as Uint8Array<ArrayBuffer>, 200, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
        'x-content-type-options': 'nosniff',
      });
    }
    if (/\.[a-z0-9]{1,8}$/i.test(path)) return next(); // a missing file is a 404, not the app
    const index = await file('/index.html');
    const headers = { 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (index) return c.body(index as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-type': TYPES['.html']! });
    if (path === '/' && options.fallback) return c.html(options.fallback(new URL(c.req.url).origin));
    return next();
  });
  return app;
}
