export * from './kv-store-tests.ts';
export * from './raw-client.ts';
export * from './objects.ts';
export * from './servers/postgres-server.ts';
export * from './servers/redis-server.ts';
export * from './bus-tests.ts';
export * from './presence-tests.ts';
export { freePort, freeUdpPort } from './servers/free-port.ts';
export { TcpProxy } from './tcp-proxy.ts';
