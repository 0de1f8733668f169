/// <reference types="vite/client" />
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_RATE_LIMITS } from '@michat/core';
import { startFixture, type Fixture } from '../fixture.ts';
import { storeSnapshot } from '../store-snapshot.ts';
import { foreignUser } from '../directory/helpers.ts';
import { parseAccessTable } from './access-doc.ts';
import { ROLES, type Role, type Scenario, type Scenarios } from './scenario.ts';
import { Refused, World, type Cast } from './world.ts';

/**
 * docs/access.md, enforced: for every row of its table and every role column, the real
 * operation is performed against a running server as a user in that role, and must be
 * allowed (✓) or refused with its typed error, changing nothing (✗).
 */
const doc = await readFile(new URL('../../../../docs/access.md', import.meta.url), 'utf8');
const rows = parseAccessTable(doc);

const modules = import.meta.glob<{ scenarios: Scenarios }>('./scenarios/*.ts', { eager: true });
const scenarios = new Map<string, Scenario>();
const duplicates: string[] = [];
for (const [file, mod] of Object.entries(modules)) {
  for (const [id, scenario] of Object.entries(mod.scenarios)) {
    if (scenarios.has(id)) duplicates.push(`${id} (again in ${file})`);
    scenarios.set(id, scenario);
  }
}

describe('docs/access.md', () => {
  it('has a table, every row has a scenario and every scenario has a row', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(duplicates, 'operation ids with two scenarios').toEqual([]);
    const ids = rows.map((r) => r.operation);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'rows listed twice').toEqual([]);
    expect(ids.filter((id) => !scenarios.has(id)), 'rows without a scenario').toEqual([]);
    expect([...scenarios.keys()].filter((id) => !ids.includes(id)), 'scenarios without a row').toEqual([]);
  });
});

describe('access table, operation by operation and role by role', () => {
  let f: Fixture;
  let cast: Cast;
  beforeAll(async () => {
    // Hundreds of worlds in a few seconds: rate limits are not what this test is about.
    f = await startFixture({ config: { connection: { ratePerSec: 1_000_000, burst: 1_000_000 }, rateLimits: NO_RATE_LIMITS } });
    const user = (name: string) => f.user(name);
    const roles = {
      'org admin': f.admin,
      'team owner': await user('towner'),
      'team admin': await user('tadmin'),
      'team member': await user('tmember'),
      guest: await user('tguest'),
      'channel owner': await user('cowner'),
      outsider: await user('outsider'),
    } satisfies Record<Role, unknown>;
    cast = { roles, target: await user('target'), spare: await user('spare'), stranger: await foreignUser(f, 'globex', 'stranger') };
  });
  afterAll(() => f?.close());

  for (const row of rows) {
    describe(`${row.operation} (${row.how})`, () => {
      for (const role of ROLES) {
        const allowed = row.allowed[role];
        it(`${role}: ${allowed ? 'allowed' : 'denied'}`, async () => {
          const scenario = scenarios.get(row.operation);
          if (!scenario) throw new Error(`no scenario for ${row.operation}`);
          const w = await World.create(f, cast);
          try {
            await scenario.setup?.(w);
            const before = await storeSnapshot(f);
            let outcome: 'no-op' | undefined | Refused;
            try {
              outcome = (await scenario.run(w, w.as(role), role)) ?? undefined;
            } catch (e) {
              if (!(e instanceof Refused)) throw e;
              outcome = e;
            }
            const after = await storeSnapshot(f);
            if (allowed) {
              expect(outcome instanceof Refused ? outcome.message : 'allowed', 'the doc says allowed').toBe('allowed');
              if (scenario.changes && outcome !== 'no-op') expect(after, 'an allowed change must change the store').not.toEqual(before);
            } else {
              expect(outcome instanceof Refused ? outcome.kind : 'allowed', 'the doc says denied').toBe(scenario.deniedAs?.[role] ?? scenario.denied ?? 'Forbidden');
              expect(after, 'a denied operation changes nothing').toEqual(before);
            }
          } finally {
            w.close();
          }
        });
      }
    });
  }
});
