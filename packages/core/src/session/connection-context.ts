import type { DataAccess } from '../auth/access.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger, Metrics } from '../ports/telemetry.ts';
import type { Rooms } from '../rooms/rooms.ts';
import type { ConnectionConfig } from './connection-config.ts';
import type { Connection } from './connection.ts';

/** How a connection checks who it speaks for. */
export interface ConnectionAuth {
  /** Claims of a token that is valid and whose org, user and device are signed in; Unauthorized otherwise. */
  verify(token: string): Promise<AccessClaims>;
  /** Unauthorized once the claims' device or user was signed out (cached: cheap on every frame). */
  check(claims: AccessClaims): Promise<void>;
  /** The device said hello (its last use). */
  used(deviceId: number): void;
}

/** What every connection of a node shares. */
export interface ConnectionContext {
  config: ConnectionConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  auth: ConnectionAuth;
  limits: Pick<RateLimits, 'publish'>;
  access: DataAccess;
  rooms: Rooms;
  onOpen(c: Connection): void;
  onClose(c: Connection): void;
}
