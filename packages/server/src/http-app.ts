import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { createApi, type MichatNode } from '@michat/core';
import { clientIp } from './client-ip.ts';
import { landingPage } from './landing-page.ts';
import { webApp } from './static-app.ts';

/** Everything HTTP on the Node host: the core API, health, readiness, metrics, and the web app at `/`. */
export function createHttpApp(node: MichatNode, registry: Registry, options: { trustProxy: boolean }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    if (!node.accepting) return c.json({ ready: false, reason: 'draining' }, 503);
    try {
      await node.kv.get('d/ready-probe');
      return c.json({ ready: true });
    } catch {
      return c.json({ ready: false, reason: 'storage unavailable' }, 503);
    }
  });
  app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  app.route('/', createApi(node, { clientIp: (c) => clientIp(c, options.trustProxy) }));
  // The web app (packages/web/dist); the landing page when it is not built.
  app.route('/', webApp({ fallback: landingPage }));
  return app;
}
