import { Hono } from 'hono';
import { api } from '@michat/protocol';
import type { DirectoryActions } from '../directory/directory-actions.ts';
import type { ApiEnv } from './api-env.ts';
import { body, idParam } from './respond.ts';

/** Teams and their members: `/api/teams…`. */
export function teamRoutes(actions: DirectoryActions): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/api/teams', async (c) => {
    const req = await body(c, api.CreateTeam);
    return c.json(await actions.teams.create(c.var.claims, req.name, req.owner), 201);
  });
  app.get('/api/teams/:team/members', async (c) => c.json(await actions.teams.members(c.var.claims, idParam(c, 'team'))));
  app.post('/api/teams/:team/members', async (c) => {
    const team = idParam(c, 'team');
    const req = await body(c, api.AddTeamMember);
    await actions.teams.add(c.var.claims, team, req.username, req.role);
    return c.body(null, 204);
  });
  app.patch('/api/teams/:team/members/:user', async (c) => {
    const [team, user] = [idParam(c, 'team'), idParam(c, 'user')];
    await actions.teams.changeRole(c.var.claims, team, user, (await body(c, api.ChangeTeamRole)).role);
    return c.body(null, 204);
  });
  app.delete('/api/teams/:team/members/:user', async (c) => {
    await actions.teams.remove(c.var.claims, idParam(c, 'team'), idParam(c, 'user'));
    return c.body(null, 204);
  });
  return app;
}
