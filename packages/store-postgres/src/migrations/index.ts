import { MIGRATION_0001_KV_TABLE } from './0001-kv-table.ts';
import { MIGRATION_0002_KV_APPLY } from './0002-kv-apply.ts';

export interface Migration {
  /** Applied in ascending order; recorded in schema_migrations. Never renumber or edit one that shipped. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, oldest first. A schema change is a new file and a new entry here. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'kv table', sql: MIGRATION_0001_KV_TABLE },
  { version: 2, name: 'kv_apply batch function', sql: MIGRATION_0002_KV_APPLY },
];
