import { Hono, type Context } from 'hono';
import type { Registry } from 'prom-client';
import type { RelayNode } from '@michat/relay';
import { landingPage } from '../landing-page.ts';
import { webApp } from '../static-app.ts';

/** How long a proxied request may take upstream. */
const FORWARD_TIMEOUT_MS = 15_000;
/** Where OriginKeys keeps the origin's key set (served when the parent is unreachable). */
const STORED_JWKS_KEY = 'origin/jwks';

/**
 * A relay's HTTP side: health, the origin's API and key set passed through to the parent
 * (sign-in, refresh and directory calls need the origin), and the web app. With the parent
 * unreachable, API calls answer 503 Unavailable; the key set is served from the cache.
 */
export function createRelayHttpApp(relay: RelayNode, upstreamUrl: string, registry: Registry): Hono {
  const upstream = upstreamUrl.replace(/\/+$/, '');
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', (c) => (relay.accepting ? c.json({ ready: true, upstream: relay.online ? 'connected' : 'offline' }) : c.json({ ready: false, reason: 'draining' }, 503)));
  app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  app.get('/.well-known/jwks.json', async (c) => {
    const res = await forward(upstream, c);
    if (res.ok) return res;
    const stored = await relay.kv.get(STORED_JWKS_KEY);
    return stored ? c.body(stored as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/json' }) : res;
  });
  app.all('/api/*', (c) => forward(upstream, c));
  app.route('/', webApp({ fallback: landingPage }));
  return app;
}

async function forward(upstream: string, c: Context): Promise<Response> {
  const req = c.req.raw;
  const url = new URL(req.url);
  const headers = new Headers(req.headers);
  for (const h of ['host', 'connection', 'content-length', 'accept-encoding']) headers.delete(h);
  try {
    const res = await fetch(upstream + url.pathname + url.search, {
      method: req.method,
      headers,
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: await req.arrayBuffer() }),
      redirect: 'manual',
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    const out = new Headers(res.headers);
    for (const h of ['content-encoding', 'content-length', 'transfer-encoding', 'connection']) out.delete(h);
    return new Response(res.body, { status: res.status, headers: out });
  } catch {
    c.header('Retry-After', '5');
    return c.json({ error: { kind: 'Unavailable', message: 'the relay cannot reach its upstream; try again later', retryAfterMs: 5_000 } }, 503);
  }
}
