import { Hono } from 'hono';
import { MichatError } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { AccessClaims } from '../auth/token-service.ts';
import { authRoutes } from './auth-routes.ts';
import { directoryRoutes } from './directory-routes.ts';
import { errorResponse } from './respond.ts';

/** The control plane (HTTP JSON), runtime-neutral: any host mounts it. */
export function createApi(node: MichatNode): Hono<{ Variables: { claims: AccessClaims } }> {
  const app = new Hono<{ Variables: { claims: AccessClaims } }>();
  app.onError((e, c) => errorResponse(c, e, node.logger));
  app.route('/', authRoutes(node));
  app.use('/api/*', async (c, next) => {
    if (c.req.path.startsWith('/api/auth/')) return next();
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) throw new MichatError('Unauthorized', 'send Authorization: Bearer <access token>');
    c.set('claims', await node.tokens.verify(token));
    return next();
  });
  app.route('/', directoryRoutes(node));
  app.notFound((c) => errorResponse(c, new MichatError('NotFound', `no route ${c.req.method} ${c.req.path}`), node.logger));
  return app;
}
