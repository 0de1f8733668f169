import { Hono } from 'hono';
import { api, type ClaimedKeyPackages, type MemberDeviceList, type UploadedKeyPackages } from '@michat/protocol';
import type { MichatNode } from '../michat-node.ts';
import type { ApiEnv } from './api-env.ts';
import { body, idParam } from './respond.ts';

/**
 * End-to-end encryption: device signature keys and MLS KeyPackages, stored as opaque bytes
 * (docs/protocol.md, "Device keys and KeyPackages"). Bearer required; who may call what:
 * docs/access.md.
 */
export function keyRoutes(node: MichatNode): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.put('/api/devices/current/key', async (c) => {
    const req = await body(c, api.RegisterDeviceKey);
    return c.json(await node.deviceKeys.register(c.var.claims, req.signatureKey));
  });
  app.get('/api/channels/:channel/devices', async (c) => {
    const channel = idParam(c, 'channel');
    return c.json({ devices: await node.deviceKeys.ofChannel(c.var.claims, channel) } satisfies MemberDeviceList);
  });
  app.get('/api/users/:user/devices/keys', async (c) => {
    const user = idParam(c, 'user');
    return c.json({ devices: await node.deviceKeys.ofUser(c.var.claims, user) } satisfies MemberDeviceList);
  });
  app.post('/api/keypackages', async (c) => {
    const req = await body(c, api.UploadKeyPackages);
    return c.json({ stock: await node.keyPackages.upload(c.var.claims, req) } satisfies UploadedKeyPackages);
  });
  app.get('/api/keypackages/stock', async (c) => c.json(await node.keyPackages.stock(c.var.claims)));
  app.post('/api/keypackages/claim', async (c) => {
    const req = await body(c, api.ClaimKeyPackages);
    return c.json({ keyPackages: await node.keyPackages.claim(c.var.claims, req.devices) } satisfies ClaimedKeyPackages);
  });
  return app;
}
