import { Hono } from 'hono';
import { api } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { ApiEnv } from './api-env.ts';
import { DirectoryActions } from '../directory/directory-actions.ts';
import { body, idParam } from './respond.ts';
import { teamRoutes } from './team-routes.ts';
import { channelRoutes } from './channel-routes.ts';
import { channelMemberRoutes } from './channel-member-routes.ts';
import { directMessageRoutes } from './dm-routes.ts';
import { importObjects } from '../rooms/channel-import.ts';

/** The directory API; every route needs a bearer token (see bearer middleware). Who may call what: docs/access.md. */
export function directoryRoutes(node: MichatNode): Hono<ApiEnv> {
  const actions = new DirectoryActions(node.directory);
  const app = new Hono<ApiEnv>();
  app.get('/api/me', async (c) => c.json(await actions.me(c.var.claims)));
  app.get('/api/users', async (c) => c.json(await actions.users.list(c.var.claims)));
  app.post('/api/users', async (c) => {
    const req = await body(c, api.CreateUser);
    return c.json(await actions.users.create(c.var.claims, req.username, req.password), 201);
  });
  app.get('/api/devices/:device', async (c) => c.json(await actions.users.device(c.var.claims, idParam(c, 'device'))));
  app.route('/', teamRoutes(actions));
  app.route('/', channelRoutes(actions));
  app.route('/', channelMemberRoutes(actions));
  app.route('/', directMessageRoutes(actions));
  app.post('/api/channels/:channel/import', async (c) => {
    const channel = idParam(c, 'channel');
    const req = await body(c, api.ImportObjects);
    return c.json(await importObjects(node, c.var.claims, channel, req.objects));
  });
  return app;
}
