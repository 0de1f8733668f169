import { describe, expect, it } from 'vitest';
import { MichatNode } from '../michat-node.ts';
import { MemoryKvStore } from '../kv/memory-kv.ts';
import { createApi } from './api.ts';
import { API_ROUTES } from './openapi-route.ts';

const plainHasher = { hash: async (p: string) => p, verify: async (h: string, p: string) => h === p };

describe('GET /api/openapi.json', () => {
  it('documents exactly the routes the API serves, with request and response schemas', async () => {
    const node = new MichatNode({ kv: new MemoryKvStore(), hasher: plainHasher });
    const app = createApi(node);
    const served = new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/')).map((r) => `${r.method.toLowerCase()} ${r.path}`));
    const documented = new Set(API_ROUTES.map((r) => `${r.method} ${r.path}`));
    expect([...served].filter((r) => !documented.has(r)), 'served but not documented').toEqual([]);
    expect([...documented].filter((r) => !served.has(r)), 'documented but not served').toEqual([]);

    const res = await app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const createChannel = doc.paths['/api/teams/{team}/channels']!.post!;
    expect(Object.keys(createChannel.requestBody!.content['application/json']!.schema.properties!)).toEqual(expect.arrayContaining(['name', 'visibility']));
    await node.close();
  });
});
