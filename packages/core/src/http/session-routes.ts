import { Hono } from 'hono';
import { api } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { ApiEnv } from './api-env.ts';
import { throttled } from './auth-routes.ts';
import { body, idParam } from './respond.ts';

/** Signing out beyond one session: everywhere, another user (org admin), and password changes. Bearer required. */
export function sessionRoutes(node: MichatNode): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/api/auth/logout-everywhere', async (c) => {
    await node.sessions.logoutEverywhere(c.var.claims.userId);
    return c.body(null, 204);
  });
  app.post('/api/auth/password', async (c) => {
    const req = await body(c, api.ChangePasswordRequest);
    const who = c.var.claims;
    // Throttled like a login: a stolen access token must not become a password oracle.
    await throttled(node.limits, c.var.clientIp, who.username, () => node.sessions.changePassword(who, req.old, req.new));
    return c.body(null, 204);
  });
  app.delete('/api/users/:user/sessions', async (c) => {
    await node.devices.revokeUser(c.var.claims, idParam(c, 'user'));
    return c.body(null, 204);
  });
  return app;
}
