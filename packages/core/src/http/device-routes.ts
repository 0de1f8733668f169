import { Hono } from 'hono';
import type { MichatNode } from '../michat-node.ts';
import type { ApiEnv } from './api-env.ts';
import { optionalIdQuery } from './query.ts';
import { idParam } from './respond.ts';

/** The devices one is signed in on (an org admin: any of their org's users'). Bearer required. */
export function deviceRoutes(node: MichatNode): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/devices', async (c) => c.json(await node.devices.list(c.var.claims, optionalIdQuery(c, 'userId'))));
  app.delete('/api/devices/:device', async (c) => {
    await node.devices.revoke(c.var.claims, idParam(c, 'device'));
    return c.body(null, 204);
  });
  return app;
}
