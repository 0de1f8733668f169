import { Hono } from 'hono';
import { DIRECTORY_ROUTES } from './directory-route-docs.ts';
import { KEY_ROUTES } from './key-route-docs.ts';
import { openApiDocument, type RouteDoc } from './openapi.ts';
import { SIGN_IN_ROUTES } from './sign-in-route-docs.ts';

/** Every documented route; a test checks it against the routes the API really serves. */
export const API_ROUTES: readonly RouteDoc[] = [
  ...SIGN_IN_ROUTES,
  ...DIRECTORY_ROUTES,
  ...KEY_ROUTES,
  { method: 'get', path: '/api/openapi.json', tag: 'meta', auth: false, summary: 'This document' },
];

export const API_VERSION = '0.1.0';

/** `GET /api/openapi.json`: generated once, from the same zod schemas the handlers validate with. */
export function openApiRoute(): Hono {
  const app = new Hono();
  let doc: Record<string, unknown> | undefined;
  app.get('/api/openapi.json', (c) => c.json((doc ??= openApiDocument(API_ROUTES, API_VERSION))));
  return app;
}
