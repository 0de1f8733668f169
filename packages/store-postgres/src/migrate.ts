import type pg from 'pg';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

/**
 * The advisory lock that serializes migrations: nodes starting at the same moment take
 * turns, and each sees what the one before it applied. An arbitrary constant ("mich").
 */
const MIGRATION_LOCK_ID = 0x6d696368;

/**
 * Brings the database's schema up to date: every migration not yet recorded in
 * `schema_migrations` runs, in version order, and the whole step is one transaction, so a
 * failure leaves the schema as it was. Idempotent; returns the versions it applied.
 */
export async function applyMigrations(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  let broken: unknown;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const newlyApplied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      newlyApplied.push(migration.version);
    }
    await client.query('COMMIT');
    return newlyApplied;
  } catch (error) {
    broken = error;
    await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone too
    throw error;
  } finally {
    // A failed connection must not go back to the pool.
    client.release(broken instanceof Error ? broken : undefined);
  }
}
