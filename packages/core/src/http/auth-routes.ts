import { Hono } from 'hono';
import { api } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import { body } from './respond.ts';

/** Sign-in: login, refresh, logout, and the public keys that verify access tokens. */
export function authRoutes(node: MichatNode): Hono {
  const app = new Hono();
  app.post('/api/auth/login', async (c) => {
    const req = await body(c, api.LoginRequest);
    return c.json(await node.sessions.login(req.username, req.password, req.deviceName));
  });
  app.post('/api/auth/refresh', async (c) => c.json(await node.sessions.refresh((await body(c, api.RefreshRequest)).refreshToken)));
  app.post('/api/auth/logout', async (c) => {
    await node.sessions.logout((await body(c, api.LogoutRequest)).refreshToken);
    return c.body(null, 204);
  });
  app.get('/.well-known/jwks.json', async (c) => c.json(await node.tokens.jwks()));
  return app;
}
