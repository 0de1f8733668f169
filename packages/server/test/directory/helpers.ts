import { expect } from 'vitest';
import type { ErrorKind, Session } from '@michat/protocol';
import { PASSWORD, type Fixture } from '../fixture.ts';
import { storeSnapshot } from '../store-snapshot.ts';

/** Runs `call` and asserts it answered the typed error `kind` and changed nothing stored. */
export async function refusedWithoutChange(f: Fixture, kind: ErrorKind, call: () => Promise<{ status: number; body: unknown }>): Promise<void> {
  const before = await storeSnapshot(f);
  const res = await call();
  expect(res.body, JSON.stringify(res.body)).toMatchObject({ error: { kind, message: expect.any(String) } });
  expect(await storeSnapshot(f)).toEqual(before);
}

/** The body of a successful call, or a failure naming what the server said. */
export async function ok<T>(res: Promise<{ status: number; body: unknown }>): Promise<T> {
  const r = await res;
  if (r.status < 200 || r.status > 299) throw new Error(`expected success, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as T;
}

/** A user of another organization (made directly in the directory, the org too if new), logged in. */
export async function foreignUser(f: Fixture, orgName: string, username: string): Promise<Session> {
  const dir = f.server.node.directory;
  const orgId = (await findOrgId(f, orgName)) ?? (await dir.createOrg(orgName)).id;
  await dir.createUser({ orgId, username, password: PASSWORD });
  return f.login(username);
}

async function findOrgId(f: Fixture, name: string): Promise<number | undefined> {
  for (const [, value] of await f.server.node.kv.list('d/org/')) {
    const org = JSON.parse(new TextDecoder().decode(value)) as { id: number; name: string };
    if (org.name === name) return org.id;
  }
  return undefined;
}
