import { Access } from './auth/access.ts';
import { SessionService } from './auth/session-service.ts';
import { TokenService } from './auth/token-service.ts';
import { Directory } from './directory/directory.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { KvStore } from './ports/kv-store.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
import { noMetrics, silentLogger, type Logger, type Metrics } from './ports/telemetry.ts';
import { Rooms } from './rooms/rooms.ts';
import { DEFAULT_CONNECTION_CONFIG, type ConnectionConfig } from './session/connection-config.ts';
import { Connection } from './session/connection.ts';
import { CLOSE, type Transport } from './session/transport.ts';
import { encodeFrame } from '@michat/protocol';

export interface MichatNodeDeps {
  kv: KvStore;
  hasher: PasswordHasher;
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  connection?: Partial<ConnectionConfig>;
}

/**
 * One michat node, runtime-neutral: directory, sign-in, rooms and the connections it
 * serves. Hosts (Node, edge) give it a KV store and transports. Nothing starts at import.
 */
export class MichatNode {
  readonly kv: KvStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly directory: Directory;
  readonly tokens: TokenService;
  readonly sessions: SessionService;
  readonly access: Access;
  readonly rooms: Rooms;
  readonly connections = new Set<Connection>();
  private readonly config: ConnectionConfig;
  private state: 'new' | 'running' | 'draining' | 'closed' = 'new';

  constructor(deps: MichatNodeDeps) {
    this.kv = deps.kv;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.metrics = deps.metrics ?? noMetrics;
    this.config = { ...DEFAULT_CONNECTION_CONFIG, ...deps.connection };
    this.directory = new Directory(this.kv, this.clock, deps.hasher);
    this.tokens = new TokenService(this.kv, this.clock);
    this.sessions = new SessionService({ kv: this.kv, clock: this.clock, hasher: deps.hasher, directory: this.directory, tokens: this.tokens });
    this.access = new Access(this.directory);
    this.rooms = new Rooms({ kv: this.kv, clock: this.clock, metrics: this.metrics });
  }

  get accepting(): boolean {
    return this.state === 'running';
  }

  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.rooms.start();
  }

  /** Serves a new client connection over `transport`. */
  connect(transport: Transport): Connection {
    return new Connection(
      {
        config: this.config,
        clock: this.clock,
        logger: this.logger,
        metrics: this.metrics,
        tokens: this.tokens,
        access: this.access,
        rooms: this.rooms,
        onOpen: (c) => {
          this.connections.add(c);
          this.metrics.gauge('connections', 1);
        },
        onClose: (c) => {
          if (this.connections.delete(c)) this.metrics.gauge('connections', -1);
        },
      },
      transport,
    );
  }

  /** Stops accepting, tells clients to reconnect elsewhere, and closes their connections. */
  drain(retryAfterMs = 1_000): void {
    if (this.state === 'closed' || this.state === 'draining') return;
    this.state = 'draining';
    const bye = encodeFrame({ t: 'bye', reason: 'draining', retryAfterMs });
    for (const c of [...this.connections]) {
      c.send(bye);
      c.close(CLOSE.goingAway, 'draining');
    }
  }

  /** Drains, then closes storage. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.drain();
    this.state = 'closed';
    this.rooms.close();
    await this.kv.close?.();
  }
}
