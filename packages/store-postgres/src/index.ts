export * from './postgres-kv.ts';
export * from './migrate.ts';
export * from './migrations/index.ts';
