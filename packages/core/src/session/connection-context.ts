import type { Access } from '../auth/access.ts';
import type { TokenService } from '../auth/token-service.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger, Metrics } from '../ports/telemetry.ts';
import type { Rooms } from '../rooms/rooms.ts';
import type { ConnectionConfig } from './connection-config.ts';
import type { Connection } from './connection.ts';

/** What every connection of a node shares. */
export interface ConnectionContext {
  config: ConnectionConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  tokens: TokenService;
  access: Access;
  rooms: Rooms;
  onOpen(c: Connection): void;
  onClose(c: Connection): void;
}
