import { z } from 'zod';
import { HTTP_STATUS, api, type ErrorKind } from '@michat/protocol';

/** One documented HTTP route: the same zod schemas the handler validates with. */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono form, e.g. `/api/teams/:team/channels`. */
  path: string;
  summary: string;
  tag: string;
  /** Needs `Authorization: Bearer <access token>`. */
  auth: boolean;
  body?: z.ZodType;
  response?: z.ZodType;
  /** Success status (default 200; 204 has no body). */
  status?: number;
  /** Path parameters that are strings (the rest are non-negative integer ids). */
  stringParams?: string[];
  /** Error kinds this route may answer with, besides the ones every route may. */
  errors?: ErrorKind[];
}

const COMMON_ERRORS: ErrorKind[] = ['BadRequest', 'RateLimited', 'Internal'];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });
}

function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z_]\w*)/g, (_, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: converted, params };
}

/** An OpenAPI 3.0 document for `routes`, generated from their zod schemas. */
export function openApiDocument(routes: readonly RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const { path, params } = openApiPath(r.path);
    const status = r.status ?? 200;
    const kinds = [...new Set([...COMMON_ERRORS, ...(r.auth ? (['Unauthorized', 'Forbidden'] as ErrorKind[]) : []), ...(r.errors ?? [])])];
    const responses: Record<string, unknown> = {
      [status]: status === 204 || !r.response ? { description: 'done' } : { description: 'success', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } },
    };
    for (const kind of kinds) {
      const code = String(HTTP_STATUS[kind]);
      const existing = responses[code] as { description: string } | undefined;
      responses[code] = { description: existing ? `${existing.description}, ${kind}` : kind, content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } };
    }
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth ? { security: [{ bearer: [] }] } : {}),
      ...(params.length ? { parameters: params.map((name) => ({ name, in: 'path', required: true, schema: r.stringParams?.includes(name) ? { type: 'string' } : { type: 'integer', minimum: 0 } })) } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'michat HTTP API', version, description: 'The control plane. The data plane is the WebSocket at /ws (see docs/protocol.md).' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (EdDSA)' } },
      schemas: { ApiError: jsonSchema(api.ApiError, 'output') },
    },
    paths,
  };
}
