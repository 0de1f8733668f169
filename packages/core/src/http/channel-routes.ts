import { Hono } from 'hono';
import { api } from '@michat/protocol';
import type { DirectoryActions } from '../directory/directory-actions.ts';
import type { ApiEnv } from './api-env.ts';
import { body, idParam } from './respond.ts';

/** Team channels and their settings, join and leave: `/api/teams/:team/channels`, `/api/channels/:channel`. */
export function channelRoutes(actions: DirectoryActions): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/teams/:team/channels', async (c) => c.json(await actions.channels.list(c.var.claims, idParam(c, 'team'))));
  app.post('/api/teams/:team/channels', async (c) => {
    const team = idParam(c, 'team');
    const req = await body(c, api.CreateChannel);
    return c.json(await actions.channels.create(c.var.claims, team, req), 201);
  });
  app.get('/api/channels/:channel', async (c) => c.json(await actions.channels.get(c.var.claims, idParam(c, 'channel'))));
  app.patch('/api/channels/:channel', async (c) => {
    const channel = idParam(c, 'channel');
    return c.json(await actions.channels.update(c.var.claims, channel, await body(c, api.UpdateChannel)));
  });
  app.post('/api/channels/:channel/join', async (c) => c.json(await actions.channels.join(c.var.claims, idParam(c, 'channel'))));
  app.post('/api/channels/:channel/leave', async (c) => {
    await actions.channels.leave(c.var.claims, idParam(c, 'channel'));
    return c.body(null, 204);
  });
  return app;
}
