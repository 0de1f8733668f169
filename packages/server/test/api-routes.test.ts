import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './fixture.ts';

describe('routes of the HTTP API', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  it('a path no route serves is NotFound, with or without a token; a real one without a token is Unauthorized', async () => {
    for (const token of [undefined, f.admin.accessToken]) {
      const r = await f.api<{ error: { kind: string } }>('GET', '/api/no-such-thing', undefined, token);
      expect(r.status).toBe(404);
      expect(r.body.error.kind).toBe('NotFound');
    }
    const missingChannel = await f.api<{ error: { kind: string } }>('GET', '/api/channels/999999', undefined, f.admin.accessToken);
    expect(missingChannel.body.error.kind).toBe('NotFound');
    const anonymous = await f.api<{ error: { kind: string } }>('GET', '/api/channels/1');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.kind).toBe('Unauthorized');
  });
});
