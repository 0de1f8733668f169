import type { Bus, PresenceStore } from '@michat/bus';
import { Access } from './auth/access.ts';
import type { Authenticator } from './auth/authenticator.ts';
import type { Devices } from './auth/devices.ts';
import type { Invites } from './auth/invites.ts';
import type { RateLimitConfig, RateLimits } from './auth/rate-limits.ts';
import type { Revocation, Revocations } from './auth/revocations.ts';
import type { SessionService } from './auth/session-service.ts';
import { createSignIn } from './auth/sign-in.ts';
import type { TokenService } from './auth/token-service.ts';
import { ClusterLink } from './cluster/cluster-link.ts';
import { joinCluster } from './cluster/join-cluster.ts';
import { Directory } from './directory/directory.ts';
import { DeviceKeyStore } from './e2ee/device-key-store.ts';
import { DeviceKeys } from './e2ee/device-keys.ts';
import { KeyPackages } from './e2ee/key-packages.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { KvStore } from './ports/kv-store.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
import { noMetrics, silentLogger, type Logger, type Metrics } from './ports/telemetry.ts';
import { Rooms } from './rooms/rooms.ts';
import { DEFAULT_CONNECTION_CONFIG, type ConnectionConfig } from './session/connection-config.ts';
import type { Connection } from './session/connection.ts';
import { Connections } from './session/connections.ts';
import { CLOSE, type Transport } from './session/transport.ts';

export interface MichatNodeDeps {
  kv: KvStore;
  hasher: PasswordHasher;
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  connection?: Partial<ConnectionConfig>;
  rateLimits?: Partial<RateLimitConfig>;
  /**
   * Cluster mode: the bus shared by every node of the deployment (they share `kv` too).
   * Without it the node assumes it is the store's only user.
   */
  bus?: Bus;
  /** Cluster mode: presence shared by every node (else each lists its own connections). */
  presence?: PresenceStore;
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
  readonly revocations: Revocations;
  /** Verifies access tokens at every entry point (HTTP, hello, auth frame). */
  readonly auth: Authenticator;
  readonly sessions: SessionService;
  readonly devices: Devices;
  readonly invites: Invites;
  /** End-to-end encryption: devices' signature keys, and who may look them up. */
  readonly deviceKeys: DeviceKeys;
  /** End-to-end encryption: MLS KeyPackages left for others to claim. */
  readonly keyPackages: KeyPackages;
  readonly limits: RateLimits;
  readonly access: Access;
  readonly rooms: Rooms;
  readonly connections: Connections;
  /** This node's side of the bus, in cluster mode. */
  readonly cluster: ClusterLink | undefined;
  private readonly config: ConnectionConfig;
  private state: 'new' | 'running' | 'draining' | 'closed' = 'new';

  constructor(deps: MichatNodeDeps) {
    this.kv = deps.kv;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.metrics = deps.metrics ?? noMetrics;
    this.config = { ...DEFAULT_CONNECTION_CONFIG, ...deps.connection };
    this.connections = new Connections(this.metrics);
    this.directory = new Directory(this.kv, this.clock, deps.hasher);
    const keyStore = new DeviceKeyStore(this.kv);
    const signIn = createSignIn({ kv: this.kv, clock: this.clock, hasher: deps.hasher, directory: this.directory, deviceKeyOf: (id) => keyStore.get(id), rateLimits: deps.rateLimits });
    this.tokens = signIn.tokens;
    this.revocations = signIn.revocations;
    this.auth = signIn.auth;
    this.sessions = signIn.sessions;
    this.devices = signIn.devices;
    this.invites = signIn.invites;
    this.limits = signIn.limits;
    this.deviceKeys = new DeviceKeys({ kv: this.kv, clock: this.clock, directory: this.directory, revocations: this.revocations, store: keyStore });
    this.keyPackages = new KeyPackages({ kv: this.kv, directory: this.directory, keys: keyStore, devices: this.deviceKeys, limits: this.limits });
    this.revocations.onRevoked((r, remote) => {
      this.closeRevoked(r);
      // The node that signed the device out cleans up after it (claims refuse it meanwhile).
      if (!remote) this.keyPackages.forgetRevoked(r).catch((err: unknown) => this.logger.warn({ err }, 'could not delete the KeyPackages of a signed-out device'));
    });
    this.access = new Access(this.directory);
    this.cluster = deps.bus ? new ClusterLink({ bus: deps.bus, presence: deps.presence, logger: this.logger, metrics: this.metrics }) : undefined;
    this.rooms = new Rooms({ kv: this.kv, clock: this.clock, metrics: this.metrics, ...(this.cluster ? { link: this.cluster } : {}) });
    // Live subscriptions end when membership does, and archived channels refuse publishes.
    this.rooms.follow(this.directory);
  }

  get accepting(): boolean {
    return this.state === 'running';
  }

  /** Starts timers and, in cluster mode, listening to the other nodes (rejects if the bus is unreachable). */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.rooms.start();
    if (this.cluster) await joinCluster(this, this.cluster);
  }

  /** Serves a new client connection over `transport`. */
  connect(transport: Transport): Connection {
    const auth = {
      verify: (token: string) => this.auth.verify(token),
      check: (claims: Parameters<Authenticator['check']>[0]) => this.auth.check(claims),
      used: (deviceId: number) => this.devices.used(deviceId),
    };
    return this.connections.serve({ config: this.config, clock: this.clock, logger: this.logger, metrics: this.metrics, auth, limits: this.limits, access: this.access, rooms: this.rooms }, transport);
  }

  /** A new signing key for new tokens; nobody is logged out (see TokenService). Returns its kid. */
  async rotateSigningKey(): Promise<string> {
    const kid = await this.tokens.rotateSigningKey();
    this.cluster?.tell({ k: 'keys' });
    return kid;
  }

  /** Signed-out devices lose their open sockets at once: `bye revoked`, then close 4409. */
  private closeRevoked(r: Revocation): void {
    for (const c of this.connections.list()) {
      if (c.userId !== r.userId || (r.deviceId !== undefined && c.deviceId !== r.deviceId) || c.deviceId === r.exceptDeviceId) continue;
      c.end('revoked', CLOSE.revoked);
    }
  }

  /** Stops accepting, tells clients to reconnect elsewhere, and closes their connections. */
  drain(retryAfterMs = 1_000): void {
    if (this.state === 'closed' || this.state === 'draining') return;
    this.state = 'draining';
    for (const c of this.connections.list()) c.end('draining', CLOSE.goingAway, retryAfterMs);
  }

  /** Drains, then closes storage. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.drain();
    this.state = 'closed';
    this.rooms.close();
    await this.cluster?.close();
    await this.kv.close?.();
  }
}
