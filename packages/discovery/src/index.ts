export * from './discovery.ts';
export * from './dns-sd.ts';
