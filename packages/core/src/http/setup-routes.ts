import { Hono } from 'hono';
import { MichatError, api } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import { checkPassword } from '../auth/password-rules.ts';
import { initOrganization } from '../directory/admin.ts';
import { utf8 } from '../util/json-bytes.ts';
import type { ApiEnv } from './api-env.ts';
import { throttled } from './auth-routes.ts';
import { body } from './respond.ts';

/** Claimed once, by the first setup that wins: later ones get Conflict even if they race. */
const SETUP_CLAIM_KEY = 'd/setup';

/**
 * First run from the web app: while no organization exists, anyone who can reach the
 * server may create the first one and its admin (as `michat admin init` does offline).
 */
export function setupRoutes(node: MichatNode): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/setup', async (c) => c.json({ needed: await node.directory.isEmpty() }));
  app.post('/api/setup', async (c) => {
    const req = await body(c, api.SetupRequest);
    checkPassword(req.password, req.username);
    const session = await throttled(node.limits, c.var.clientIp, req.username, async () => {
      if (!(await node.directory.isEmpty())) throw new MichatError('Conflict', 'this server is already set up');
      if (await node.kv.putIfAbsent(SETUP_CLAIM_KEY, utf8(String(node.clock.now())))) throw new MichatError('Conflict', 'this server is already being set up');
      await initOrganization(node.directory, { org: req.org, username: req.username, password: req.password });
      return node.sessions.login(req.username, req.password, 'web');
    });
    return c.json(session, 201);
  });
  return app;
}
