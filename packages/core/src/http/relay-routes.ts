import { Hono } from 'hono';
import { MichatError, channelFromKey, type RelayChannel } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { ApiEnv } from './api-env.ts';

/** What relays ask the origin: `GET /api/relay/channels/:prefix` (relay accounts only; docs/access.md). */
export function relayRoutes(node: MichatNode): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/api/relay/channels/:prefix', async (c) => {
    const claims = c.var.claims;
    if (!claims.relay) throw new MichatError('Forbidden', 'only relay accounts ask this');
    const hex = c.req.param('prefix');
    const prefix = /^[0-9a-f]{18}$/.test(hex) ? channelFromKey(hex) : undefined;
    if (!prefix) throw new MichatError('BadRequest', 'prefix must be a channel prefix: 18 lowercase hex digits (72 bits)');
    const { record } = await node.access.requireMember(claims, prefix.name);
    const answer: RelayChannel = {
      channelId: record.id,
      orgId: record.orgId,
      teamId: record.teamId,
      archived: record.archived ?? false,
      members: await node.directory.channelMemberIds(record.id),
    };
    return c.json(answer);
  });
  return app;
}
