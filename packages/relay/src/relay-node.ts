import { CLOSE, Connections, DEFAULT_CONNECTION_CONFIG, OriginKeys, RateLimits, Rooms, jsonBytes, noMetrics, parseJsonBytes, readVector, silentLogger, systemClock } from '@michat/core';
import type { Clock, Connection, ConnectionConfig, KvStore, Logger, Metrics, RateLimitConfig, Transport } from '@michat/core';
import { api, type Prefix, type Session, type VersionVector } from '@michat/protocol';
import { ChannelAcls } from './channel-acls.ts';
import { RefusedObjects } from './refused-objects.ts';
import { RelayCache } from './relay-cache.ts';
import { RelayAccess } from './relay-access.ts';
import { RelayAuth } from './relay-auth.ts';
import { Upstream } from './upstream.ts';
import { UpstreamIdentity } from './upstream-identity.ts';
import { UpstreamLink } from './upstream-link.ts';

/** The relay's own session upstream (its refresh token: the store is as secret as a password file). */
const SESSION_KEY = 'relay/session';

export interface RelayNodeDeps {
  /** The relay's cache and outbound queue (SQLite in its data directory, or memory). */
  kv: KvStore;
  /** The parent's base HTTP URL: the origin, or another relay. */
  upstreamUrl: string;
  /** The relay account (`michat admin relay add`) and its password. */
  username: string;
  password: string;
  deviceName?: string;
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  connection?: Partial<ConnectionConfig>;
  rateLimits?: Partial<RateLimitConfig>;
  /** How long expired tokens stay good while the parent is unreachable (default 24 h). */
  graceMs?: number;
  /** How long a channel's member list is used before it is asked for again (default 30 s). */
  aclFreshMs?: number;
  /** Upstream heartbeat bounds (default 3.5–7 s). */
  heartbeat?: { minMs: number; maxMs: number };
  /** Evict least recently used channels past this many bytes of objects (default: unbounded). */
  cacheBytes?: number;
  /** How often expired objects are deleted and the size bound enforced (default 60 s). */
  cacheSweepMs?: number;
}

/**
 * A relay: serves clients exactly as a server does (same Connection, same rooms) from its own
 * cache, and links every loaded room to the parent. Tokens are verified with the origin's
 * keys; membership comes from the origin's answers, kept for offline use.
 */
export class RelayNode {
  readonly kv: KvStore;
  readonly rooms: Rooms;
  readonly upstream: Upstream;
  readonly identity: UpstreamIdentity;
  readonly keys: OriginKeys;
  readonly acls: ChannelAcls;
  readonly refused: RefusedObjects;
  readonly cache: RelayCache;
  readonly connections: Connections;
  readonly logger: Logger;
  private readonly clock: Clock;
  private readonly metrics: Metrics;
  private readonly config: ConnectionConfig;
  private readonly auth: RelayAuth;
  private readonly access: RelayAccess;
  private readonly limits: RateLimits;
  private readonly link: UpstreamLink;
  private readonly sweepMs: number;
  private cancelSweep: (() => void) | undefined;
  private state: 'new' | 'running' | 'draining' | 'closed' = 'new';

  private constructor(deps: RelayNodeDeps, refused: RefusedObjects, cache: RelayCache) {
    this.kv = deps.kv;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.metrics = deps.metrics ?? noMetrics;
    this.config = { ...DEFAULT_CONNECTION_CONFIG, ...deps.connection };
    this.refused = refused;
    this.connections = new Connections(this.metrics);
    this.cache = cache;
    this.sweepMs = deps.cacheSweepMs ?? 60_000;
    const online = () => this.upstream.online;
    this.identity = new UpstreamIdentity({
      url: deps.upstreamUrl,
      username: deps.username,
      password: deps.password,
      deviceName: deps.deviceName ?? 'relay',
      now: () => this.clock.now(),
      onToken: (token) => this.upstream.sendToken(token),
      saved: {
        load: async () => {
          const raw = await this.kv.get(SESSION_KEY);
          return raw ? parseJsonBytes<Session>(raw) : undefined;
        },
        save: (session) => this.kv.put(SESSION_KEY, jsonBytes(session)),
      },
    });
    this.upstream = new Upstream({
      url: deps.upstreamUrl,
      identity: this.identity,
      kv: this.kv,
      clock: this.clock,
      logger: this.logger,
      refused,
      vectorOf: (channel) => this.vectorOf(channel),
      ...(deps.heartbeat ? { heartbeat: deps.heartbeat } : {}),
      onOnline: (up) => {
        if (!up) return;
        void this.keys.refresh();
        // What waits for upstream goes up even if nobody uses its channel again.
        for (const channel of this.cache.dirtyChannels()) void this.rooms.get(channel).catch(() => undefined);
      },
      isDirty: (channel) => this.cache.isDirty(channel),
      adopt: async (channel, ranges) => this.rooms.peek(channel)?.adopt(ranges),
      onClean: (channel, digest) => void this.cache.clean(channel, digest, async () => (await this.vectorOf(channel)).digest()),
    });
    this.keys = new OriginKeys({ jwksUrl: `${deps.upstreamUrl.replace(/\/$/, '')}/.well-known/jwks.json`, kv: this.kv, clock: this.clock });
    this.acls = new ChannelAcls({
      kv: this.kv,
      clock: this.clock,
      online,
      freshMs: deps.aclFreshMs ?? 30_000,
      fetch: (hex) => this.fetchAcl(hex),
    });
    this.auth = new RelayAuth({ keys: this.keys, clock: this.clock, online, ...(deps.graceMs !== undefined ? { graceMs: deps.graceMs } : {}) });
    this.access = new RelayAccess(this.acls);
    this.limits = new RateLimits(deps.rateLimits ?? {}, this.clock);
    this.link = new UpstreamLink(this.upstream, cache);
    this.rooms = new Rooms({ kv: this.kv, clock: this.clock, metrics: this.metrics, link: this.link });
  }

  /** A relay on `deps.kv` (what it cached and has not sent up survives a restart). Nothing connects yet. */
  static async open(deps: RelayNodeDeps): Promise<RelayNode> {
    let node: RelayNode | undefined;
    const cache = await RelayCache.open({
      kv: deps.kv,
      clock: deps.clock ?? systemClock,
      logger: deps.logger ?? silentLogger,
      maxBytes: deps.cacheBytes,
      inUse: (channel) => !!node && (!!node.rooms.peek(channel) || node.link.isFollowing(channel)),
    });
    node = new RelayNode(deps, await RefusedObjects.load(deps.kv), cache);
    return node;
  }

  /** Deletes expired objects and enforces the size bound now (also every `cacheSweepMs`). */
  async sweepCache(): ReturnType<RelayCache['sweep']> {
    for (const room of this.rooms.all()) this.cache.touch(room.channel);
    return this.cache.sweep();
  }

  get accepting(): boolean {
    return this.state === 'running';
  }

  /** Whether the parent is reachable now. */
  get online(): boolean {
    return this.upstream.online;
  }

  /** Starts serving from the cache and connecting upstream (in the background: the parent may be down). */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.rooms.start();
    this.upstream.start();
    const tick = () => {
      void this.sweepCache()
        .catch((e: unknown) => this.logger.warn({ err: (e as Error).message }, 'relay cache sweep failed'))
        .finally(() => {
          if (this.state === 'running') this.cancelSweep = this.clock.setTimer(this.sweepMs, tick);
        });
    };
    this.cancelSweep = this.clock.setTimer(this.sweepMs, tick);
  }

  connect(transport: Transport): Connection {
    return this.connections.serve({ config: this.config, clock: this.clock, logger: this.logger, metrics: this.metrics, auth: this.auth, limits: this.limits, access: this.access, rooms: this.rooms }, transport);
  }

  drain(retryAfterMs = 1_000): void {
    if (this.state === 'closed' || this.state === 'draining') return;
    this.state = 'draining';
    for (const c of this.connections.list()) c.end('draining', CLOSE.goingAway, retryAfterMs);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.drain();
    this.state = 'closed';
    this.cancelSweep?.();
    this.rooms.close();
    this.identity.stop();
    await this.upstream.close();
    await this.kv.close?.();
  }

  private async vectorOf(channel: Prefix): Promise<VersionVector> {
    return this.rooms.peek(channel)?.held ?? (await readVector(this.kv, channel.name));
  }

  private async fetchAcl(hex: string) {
    try {
      return await this.identity.http.call('GET', `/api/relay/channels/${hex}`, { token: await this.identity.token(), schema: api.RelayChannel });
    } catch (e) {
      if (e instanceof Error && 'kind' in e && e.kind === 'NotFound') return undefined;
      throw e;
    }
  }
}
