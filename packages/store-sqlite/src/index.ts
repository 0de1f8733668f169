export * from './sqlite-kv.ts';
