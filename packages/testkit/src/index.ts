export * from './kv-store-tests.ts';
