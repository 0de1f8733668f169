import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.ts';

/** First run from the web app: the first org and its admin, once. */
describe('POST /api/setup', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, dataDir: undefined, logLevel: 'silent', drainMs: 100 });
  });
  afterAll(() => server.close());

  const call = async (method: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/setup`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('creates the first organization and signs its admin in, exactly once', async () => {
    expect(await call('GET')).toEqual({ status: 200, body: { needed: true } });
    expect(await call('POST', { org: 'acme', username: 'alice', password: 'short' })).toMatchObject({ status: 400, body: { error: { kind: 'BadRequest' } } });
    expect((await call('GET')).body).toEqual({ needed: true });
    const [a, b] = await Promise.all([
      call('POST', { org: 'acme', username: 'alice', password: 'wonderland42' }),
      call('POST', { org: 'other', username: 'mallory', password: 'wonderland42' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const winner = a.status === 201 ? a : b;
    expect(winner.body).toMatchObject({ accessToken: expect.any(String), deviceId: expect.any(Number) });
    expect(await call('GET')).toEqual({ status: 200, body: { needed: false } });
    expect(await call('POST', { org: 'late', username: 'eve', password: 'wonderland42' })).toMatchObject({ status: 409, body: { error: { kind: 'Conflict' } } });
    const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${winner.body.accessToken as string}` } });
    expect(((await me.json()) as { orgAdmin: boolean }).orgAdmin).toBe(true);
  });
});
