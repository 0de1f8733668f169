export * from './kv-store-tests.ts';
export * from './raw-client.ts';
export * from './objects.ts';
