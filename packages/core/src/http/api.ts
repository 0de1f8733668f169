import { Hono, type Context } from 'hono';
import { MichatError } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { ApiEnv } from './api-env.ts';
import { PUBLIC_AUTH_PATHS, authRoutes } from './auth-routes.ts';
import { deviceRoutes } from './device-routes.ts';
import { directoryRoutes } from './directory-routes.ts';
import { inviteRoutes } from './invite-routes.ts';
import { keyRoutes } from './key-routes.ts';
import { errorResponse } from './respond.ts';
import { sessionRoutes } from './session-routes.ts';
import { setupRoutes } from './setup-routes.ts';
import { relayRoutes } from './relay-routes.ts';
import { API_ROUTES, openApiRoute } from './openapi-route.ts';

export type { ApiEnv } from './api-env.ts';

export interface ApiOptions {
  /**
   * The caller's address, which only the host knows (the socket's peer, or X-Forwarded-For
   * behind a proxy it trusts). Without it every caller shares the 'unknown' IP budget.
   */
  clientIp?(c: Context): string | undefined;
}

/**
 * The control plane (HTTP JSON), runtime-neutral: any host mounts it. Every `/api` call is
 * counted against its IP; all but sign-in itself need a bearer token, verified like every
 * other entry point (signature, expiry, and the user and device still signed in), and are
 * counted against the user.
 */
export function createApi(node: MichatNode, options: ApiOptions = {}): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError((e, c) => errorResponse(c, e, node.logger));
  app.use('*', async (c, next) => {
    c.set('clientIp', options.clientIp?.(c) ?? 'unknown');
    return next();
  });
  app.use('/api/*', async (c, next) => {
    node.limits.apiCallFromIp(c.var.clientIp);
    return next();
  });
  app.route('/', authRoutes(node));
  app.route('/', setupRoutes(node));
  app.route('/', openApiRoute());
  // A path no route serves is NotFound whoever asks (before asking for a token).
  const served = API_ROUTES.map((r) => new RegExp(`^${r.path.replace(/:[a-z]+/gi, '[^/]+')}$`));
  app.use('/api/*', async (c, next) => {
    if (!served.some((re) => re.test(c.req.path))) throw new MichatError('NotFound', `no route ${c.req.method} ${c.req.path}`);
    return next();
  });
  app.use('/api/*', async (c, next) => {
    if (PUBLIC_AUTH_PATHS.has(c.req.path) || c.req.path === '/api/setup' || c.req.path === '/api/openapi.json') return next();
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) throw new MichatError('Unauthorized', 'send Authorization: Bearer <access token>');
    const claims = await node.auth.verify(token);
    node.limits.apiCallByUser(claims.userId);
    c.set('claims', claims);
    return next();
  });
  app.route('/', sessionRoutes(node));
  app.route('/', deviceRoutes(node));
  app.route('/', inviteRoutes(node));
  app.route('/', directoryRoutes(node));
  app.route('/', relayRoutes(node));
  app.route('/', keyRoutes(node));
  app.notFound((c) => errorResponse(c, new MichatError('NotFound', `no route ${c.req.method} ${c.req.path}`), node.logger));
  return app;
}
