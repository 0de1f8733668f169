export * from './bus.ts';
export * from './memory-bus.ts';
export * from './presence-store.ts';
export * from './memory-presence.ts';
