export { RelayNode, type RelayNodeDeps } from './relay-node.ts';
export { OFFLINE_GRACE_MS } from './relay-auth.ts';
export { EXCHANGE_CHUNK, planExchange, type ExchangePlan } from './vector-exchange.ts';
