import { Hono } from 'hono';
import { MichatError, api, type CreatedInvite } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { ApiEnv } from './api-env.ts';
import { optionalIdQuery } from './query.ts';
import { body } from './respond.ts';

/** Invites: made by org admins and team owners/admins, used by `POST /api/auth/register`. Bearer required. */
export function inviteRoutes(node: MichatNode): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/api/invites', async (c) => {
    const { invite, code } = await node.invites.create(c.var.claims, await body(c, api.CreateInviteRequest));
    const created: CreatedInvite = { ...invite, code, link: `${new URL(c.req.url).origin}/invite/${code}` };
    return c.json(created, 201);
  });
  app.get('/api/invites', async (c) => c.json(await node.invites.list(c.var.claims, optionalIdQuery(c, 'teamId'))));
  app.delete('/api/invites/:invite', async (c) => {
    const id = c.req.param('invite');
    if (!/^[0-9a-f]{16}$/.test(id)) throw new MichatError('NotFound', `no invite ${id}`);
    await node.invites.revoke(c.var.claims, id);
    return c.body(null, 204);
  });
  return app;
}
