import { Hono } from 'hono';
import { api } from '@michat/protocol';
import type { DirectoryActions } from '../directory/directory-actions.ts';
import type { ApiEnv } from './api-env.ts';
import { body, idParam } from './respond.ts';

/** Who is in a channel, join requests and bans: `/api/channels/:channel/{members,requests,bans}`. */
export function channelMemberRoutes(actions: DirectoryActions): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const noContent = () => new Response(null, { status: 204 });

  app.get('/api/channels/:channel/members', async (c) => c.json(await actions.members.list(c.var.claims, idParam(c, 'channel'))));
  app.post('/api/channels/:channel/members', async (c) => {
    const channel = idParam(c, 'channel');
    await actions.members.add(c.var.claims, channel, (await body(c, api.AddChannelMember)).username);
    return noContent();
  });
  app.delete('/api/channels/:channel/members/:user', async (c) => {
    await actions.members.remove(c.var.claims, idParam(c, 'channel'), idParam(c, 'user'));
    return noContent();
  });

  app.post('/api/channels/:channel/requests', async (c) => {
    const { request, created } = await actions.requests.ask(c.var.claims, idParam(c, 'channel'));
    return c.json(request, created ? 201 : 200);
  });
  app.get('/api/channels/:channel/requests', async (c) => c.json(await actions.requests.list(c.var.claims, idParam(c, 'channel'))));
  app.post('/api/channels/:channel/requests/:user/accept', async (c) => {
    await actions.requests.decide(c.var.claims, idParam(c, 'channel'), idParam(c, 'user'), true);
    return noContent();
  });
  app.post('/api/channels/:channel/requests/:user/refuse', async (c) => {
    await actions.requests.decide(c.var.claims, idParam(c, 'channel'), idParam(c, 'user'), false);
    return noContent();
  });

  app.get('/api/channels/:channel/bans', async (c) => c.json(await actions.members.bans(c.var.claims, idParam(c, 'channel'))));
  app.put('/api/channels/:channel/bans/:user', async (c) => {
    await actions.members.ban(c.var.claims, idParam(c, 'channel'), idParam(c, 'user'));
    return noContent();
  });
  app.delete('/api/channels/:channel/bans/:user', async (c) => {
    await actions.members.unban(c.var.claims, idParam(c, 'channel'), idParam(c, 'user'));
    return noContent();
  });
  return app;
}
