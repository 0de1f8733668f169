import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { createApi, type MichatNode } from '@michat/core';
import { landingPage } from './landing-page.ts';

/** Everything HTTP on the Node host: the core API plus health, readiness, metrics and `/`. */
export function createHttpApp(node: MichatNode, registry: Registry): Hono {
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
  app.get('/', (c) => c.html(landingPage(new URL(c.req.url).origin)));
  app.route('/', createApi(node));
  return app;
}
