export * from './start-server.ts';
export * from './config.ts';
export * from './scrypt-hasher.ts';
export { WS_PATH } from './ws-host.ts';
export { parseRate } from './rate-spec.ts';
export { webApp } from './static-app.ts';
export { openSharedParts, type SharedParts } from './cluster-parts.ts';
export { startRelay, type RelayConfig, type RunningRelay } from './relay/start-relay.ts';
