import { Hono } from 'hono';
import { api } from '@michat/protocol';
import type { DirectoryActions } from '../directory/directory-actions.ts';
import type { ApiEnv } from './api-env.ts';
import { body } from './respond.ts';

/** Direct messages: `/api/dms`. Opening a pair's DM again answers 200 with the same channel. */
export function directMessageRoutes(actions: DirectoryActions): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/dms', async (c) => c.json(await actions.dms.list(c.var.claims)));
  app.post('/api/dms', async (c) => {
    const { channel, created } = await actions.dms.open(c.var.claims, (await body(c, api.CreateDirectMessage)).usernames);
    return c.json(channel, created ? 201 : 200);
  });
  return app;
}
