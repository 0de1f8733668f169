import { Hono } from 'hono';
import { api } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { AccessClaims } from '../auth/token-service.ts';
import { DirectoryActions } from '../directory/directory-actions.ts';
import { body, idParam } from './respond.ts';

type Env = { Variables: { claims: AccessClaims } };

/** The directory API; every route needs a bearer token (see bearer middleware). */
export function directoryRoutes(node: MichatNode): Hono<Env> {
  const actions = new DirectoryActions(node.directory);
  const app = new Hono<Env>();
  app.get('/api/me', async (c) => c.json(await actions.me(c.var.claims)));
  app.post('/api/users', async (c) => {
    const req = await body(c, api.CreateUser);
    return c.json(await actions.createUser(c.var.claims, req.username, req.password), 201);
  });
  app.post('/api/teams', async (c) => {
    const team = await actions.createTeam(c.var.claims, (await body(c, api.CreateTeam)).name);
    return c.json({ id: team.id, orgId: team.orgId, name: team.name, role: 'owner' }, 201);
  });
  app.post('/api/teams/:team/members', async (c) => {
    const req = await body(c, api.AddTeamMember);
    await actions.addTeamMember(c.var.claims, idParam(c, 'team'), req.username, req.role);
    return c.body(null, 204);
  });
  app.get('/api/teams/:team/channels', async (c) => c.json(await actions.teamChannels(c.var.claims, idParam(c, 'team'))));
  app.post('/api/teams/:team/channels', async (c) => {
    const req = await body(c, api.CreateChannel);
    return c.json(await actions.createChannel(c.var.claims, idParam(c, 'team'), req.name, req.visibility), 201);
  });
  app.post('/api/channels/:channel/join', async (c) => c.json(await actions.joinChannel(c.var.claims, idParam(c, 'channel'))));
  app.post('/api/channels/:channel/members', async (c) => {
    await actions.addChannelMember(c.var.claims, idParam(c, 'channel'), (await body(c, api.AddChannelMember)).username);
    return c.body(null, 204);
  });
  app.get('/api/devices/:device', async (c) => c.json(await actions.device(c.var.claims, idParam(c, 'device'))));
  return app;
}
