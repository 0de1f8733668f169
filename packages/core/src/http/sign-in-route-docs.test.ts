import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';
import { SIGN_IN_ROUTES } from './sign-in-route-docs.ts';

describe('the sign-in routes in OpenAPI', () => {
  it('documents every route with its body and answer', () => {
    const doc = openApiDocument(SIGN_IN_ROUTES, 'test') as { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/auth/register', '/api/devices/{device}', '/api/invites/{invite}']));
    expect(doc.paths['/api/auth/register']!.post!.responses['201']).toBeDefined();
    expect(doc.paths['/api/auth/login']!.post!.responses['429']).toBeDefined();
    expect(doc.paths['/api/invites']!.post!.requestBody).toBeDefined();
  });
});
