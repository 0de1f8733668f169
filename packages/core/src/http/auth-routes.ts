import { Hono, type Context } from 'hono';
import { MichatError, api } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import type { ApiEnv } from './api-env.ts';
import { body } from './respond.ts';

/** Sign-in routes that take no bearer token (the bearer middleware lets these through). */
export const PUBLIC_AUTH_PATHS: ReadonlySet<string> = new Set(['/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/auth/register', '/api/auth/jwks']);
/** Verifiers may cache the key set this long: a rotated-out key still verifies for 16 minutes. */
const JWKS_MAX_AGE_S = 60;

/** Answers that mean a secret (password, refresh token, invite code) was wrong: guesses. */
const GUESS_MISSED: ReadonlySet<string> = new Set(['Unauthorized', 'Forbidden', 'NotFound', 'Expired']);

/**
 * Runs one sign-in attempt under the IP (and username) limits; a missed guess costs more
 * than a granted attempt, so guessing runs out first.
 */
export async function throttled<T>(limits: RateLimits, ip: string, username: string | undefined, attempt: () => Promise<T>): Promise<T> {
  limits.authAttempt(ip, username);
  try {
    return await attempt();
  } catch (e) {
    if (e instanceof MichatError && GUESS_MISSED.has(e.kind)) limits.authFailed(ip, username);
    throw e;
  }
}

/** Sign-in: login, registration with an invite, refresh, logout, and the keys that verify access tokens. */
export function authRoutes(node: MichatNode): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/api/auth/login', async (c) => {
    const req = await body(c, api.LoginRequest);
    return c.json(await throttled(node.limits, c.var.clientIp, req.username, () => node.sessions.login(req.username, req.password, req.deviceName)));
  });
  app.post('/api/auth/register', async (c) => {
    const req = await body(c, api.RegisterRequest);
    return c.json(await throttled(node.limits, c.var.clientIp, undefined, () => node.invites.register(req)), 201);
  });
  app.post('/api/auth/refresh', async (c) => {
    const { refreshToken } = await body(c, api.RefreshRequest);
    return c.json(await throttled(node.limits, c.var.clientIp, undefined, () => node.sessions.refresh(refreshToken)));
  });
  app.post('/api/auth/logout', async (c) => {
    await node.sessions.logout((await body(c, api.LogoutRequest)).refreshToken);
    return c.body(null, 204);
  });
  const jwks = async (c: Context<ApiEnv>) => {
    c.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_S}`);
    return c.json(await node.tokens.jwks());
  };
  app.get('/.well-known/jwks.json', jwks);
  app.get('/api/auth/jwks', jwks);
  return app;
}
