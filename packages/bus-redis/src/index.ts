export * from './redis-bus.ts';
export * from './redis-presence.ts';
export * from './redis-connection.ts';
