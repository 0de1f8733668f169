import { expect } from 'vitest';
import { PROTOCOL_VERSION, type ServerFrame } from '@michat/protocol';
import { RawClient } from '@michat/testkit';
import type { Fixture } from './fixture.ts';

/** One HTTP call with its headers (the fixture's `api` drops them). */
export async function call<T = unknown>(
  f: Fixture,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await fetch(f.server.url + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The `kid` in an access token's header. */
export function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid?: string };
  if (!header.kid) throw new Error('token has no kid');
  return header.kid;
}

/**
 * Asserts that `token` is refused at every entry point: the HTTP API (401 Unauthorized), a
 * WebSocket hello (err Unauthorized, close 4401) and an `auth` frame on a socket opened with
 * `goodToken` (err Unauthorized; that socket keeps working on its own token).
 */
export async function expectRefusedEverywhere(f: Fixture, token: string, goodToken: string): Promise<void> {
  const http = await f.api<{ error: { kind: string } }>('GET', '/api/me', undefined, token);
  expect(http).toMatchObject({ status: 401, body: { error: { kind: 'Unauthorized' } } });

  const hello = await RawClient.open(f.server.wsUrl);
  hello.send({ t: 'hello', versions: [PROTOCOL_VERSION], token });
  expect(await hello.next(() => true)).toMatchObject({ t: 'err', kind: 'Unauthorized' });
  expect((await hello.closed).code).toBe(4401);

  const open = await RawClient.connect(f.server.wsUrl, goodToken);
  open.send({ t: 'auth', token });
  expect(await open.next((fr) => fr.t === 'err')).toMatchObject({ t: 'err', kind: 'Unauthorized' });
  expect(await open.request({ t: 'ping', id: 1 })).toMatchObject({ t: 'pong', id: 1 });
  open.close();
}

/** Resolves with the close code once `c` closes after a `bye revoked`, failing after `ms`. */
export async function revokedWithin(c: RawClient, ms: number): Promise<{ code: number; bye: ServerFrame | undefined; afterMs: number }> {
  const started = Date.now();
  const closed = await Promise.race([c.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms))]);
  return { code: closed.code, bye: c.received.find((fr) => fr.t === 'bye'), afterMs: Date.now() - started };
}

/** Whether a socket still answers: a ping gets its pong. */
export async function stillOpen(c: RawClient, id: number): Promise<boolean> {
  return (await c.request({ t: 'ping', id }, 2_000)).t === 'pong';
}
