import {
  HEARTBEAT_MAX_MS,
  HEARTBEAT_MIN_MS,
  MAX_FRAME_BYTES,
  MAX_OBJECT_BYTES,
  MichatError,
  PROTOCOL_VERSION,
  decodeClientFrame,
  encodeFrame,
  negotiateVersion,
  type ClientFrame,
  type ClientFrameOf,
  type Prefix,
  type ServerFrame,
} from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Subscriber } from '../rooms/subscriber.ts';
import { TokenBucket } from '../util/token-bucket.ts';
import { CLOSE, type Transport } from './transport.ts';
import type { ConnectionContext } from './connection-context.ts';
import { handleData, type LiveSubscription } from './data-handlers.ts';
import { typedError } from '../util/typed-error.ts';

let nextConnectionId = 1;

/**
 * One client connection's protocol state machine: hello first, then data frames. Every
 * inbound frame is decoded and checked here; a bad frame gets a typed `err` frame and
 * never throws past this class. Frames of one connection start in arrival order.
 */
export class Connection implements Subscriber {
  readonly connectionId = nextConnectionId++;
  private readonly ctx: ConnectionContext;
  private readonly transport: Transport;
  private readonly bucket: TokenBucket;
  private claimsValue: AccessClaims | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly cancelHelloTimer: () => void;
  /** Live subscriptions by the request id that made them. */
  readonly subscriptions = new Map<number, LiveSubscription>();

  constructor(ctx: ConnectionContext, transport: Transport) {
    this.ctx = ctx;
    this.transport = transport;
    this.bucket = new TokenBucket(ctx.config.ratePerSec, ctx.config.burst, ctx.clock.now());
    this.cancelHelloTimer = ctx.clock.setTimer(ctx.config.helloTimeoutMs, () => {
      if (!this.claimsValue) this.close(CLOSE.helloTimeout, 'no hello');
    });
    ctx.onOpen(this);
  }

  get claims(): AccessClaims {
    if (!this.claimsValue) throw new MichatError('Unauthorized', 'say hello with a token first');
    return this.claimsValue;
  }
  get userId(): number {
    return this.claimsValue?.userId ?? -1;
  }
  get username(): string {
    return this.claimsValue?.username ?? '';
  }
  get deviceId(): number {
    return this.claimsValue?.deviceId ?? -1;
  }

  /** One inbound binary frame from the transport. Never throws. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    // A relay account's connection carries many users' traffic: no per-connection frame limit.
    const wait = this.claimsValue?.relay ? 0 : this.bucket.take(this.ctx.clock.now());
    const decoded = decodeClientFrame(bytes);
    this.ctx.metrics.count('frames_in', { type: decoded.ok ? decoded.frame.t : 'invalid' });
    if (!decoded.ok) return this.fail(decoded.error, decoded.id);
    const frame = decoded.frame;
    const id = 'id' in frame ? frame.id : undefined;
    if (wait > 0) return this.fail(new MichatError('RateLimited', 'too many frames', wait), id);
    this.queue = this.queue.then(() => this.dispatch(frame)).catch((e: unknown) => this.fail(e, id));
  }

  /** Sends a frame; returns false when the peer is too slow and it was dropped. */
  send(frame: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.transport.bufferedAmount() > this.ctx.config.slowConsumerBytes) return false;
    this.transport.send(frame);
    return true;
  }

  reply(frame: ServerFrame): void {
    // Replies (acks, errors, pages) are never dropped for slowness: the client waits on them.
    if (!this.closed) this.transport.send(encodeFrame(frame));
  }

  /**
   * Sends a typed error answering request `id`, naming the subscription prefix it concerns
   * when there is one; logs anything that is not a MichatError.
   */
  fail(e: unknown, id?: number, about?: Prefix): void {
    const { error: err, expected } = typedError(e);
    if (!expected) this.ctx.logger.error({ err: e, connection: this.connectionId }, 'frame handler failed');
    this.ctx.metrics.count('errors', { kind: err.kind });
    this.reply({
      t: 'err',
      ...(id !== undefined ? { id } : {}),
      kind: err.kind,
      msg: err.message,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      ...(err.kind === 'ClockSkew' ? { serverTime: this.ctx.clock.now() } : {}),
      ...(about ? { prefix: about.name, bits: about.bits } : {}),
    });
  }

  /** The transport closed (or we close it): leave every room. Idempotent. */
  onTransportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelHelloTimer();
    for (const s of this.subscriptions.values()) s.room.drop(this);
    this.subscriptions.clear();
    this.ctx.onClose(this);
  }

  close(code: number, reason: string): void {
    if (!this.closed) this.transport.close(code, reason);
    this.onTransportClosed();
  }

  /** Says `bye` (never dropped for slowness) and closes: the node signed this device out, or drains. */
  end(reason: 'revoked' | 'draining', code: number, retryAfterMs?: number): void {
    this.reply({ t: 'bye', reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    this.close(code, reason);
  }

  /** The room ended subscription `id` itself (the user lost the channel) and told the peer. */
  onSubscriptionEnded(id: number): void {
    this.subscriptions.delete(id);
  }

  private async dispatch(frame: ClientFrame): Promise<void> {
    if (this.closed) return;
    if (frame.t === 'hello') return this.hello(frame);
    if (frame.t === 'auth') return this.reauth(frame.token);
    const claims = this.claimsValue;
    if (!claims) {
      this.fail(new MichatError('Unauthorized', 'say hello with a token first'), 'id' in frame ? frame.id : undefined);
      return this.close(CLOSE.unauthorized, 'no hello');
    }
    if (claims.expiresAt <= this.ctx.clock.now()) throw new MichatError('Unauthorized', 'access token expired; send auth with a fresh one');
    // Normally the node closes a signed-out device's sockets at once; this catches a hello
    // that was verified just before the revocation landed.
    if (!(await this.signedIn(claims))) return;
    return handleData(this.ctx, this, frame);
  }

  private async signedIn(claims: AccessClaims): Promise<boolean> {
    try {
      await this.ctx.auth.check(claims);
      return true;
    } catch (e) {
      if (!(e instanceof MichatError) || e.kind !== 'Unauthorized') throw e;
      this.end('revoked', CLOSE.revoked);
      return false;
    }
  }

  private async hello(frame: ClientFrameOf<'hello'>): Promise<void> {
    if (this.claimsValue) throw new MichatError('BadRequest', 'hello was already said');
    const version = negotiateVersion(frame.versions);
    if (version === undefined) {
      this.fail(new MichatError('UnsupportedVersion', `this server speaks protocol ${PROTOCOL_VERSION}`));
      return this.close(CLOSE.protocolError, 'unsupported version');
    }
    try {
      this.claimsValue = await this.ctx.auth.verify(frame.token);
    } catch (e) {
      this.fail(e);
      // A refused token is 4401 (refresh, then retry); a store that failed is not the token's fault.
      const refused = e instanceof MichatError && e.kind === 'Unauthorized';
      return this.close(refused ? CLOSE.unauthorized : CLOSE.goingAway, refused ? 'unauthorized' : 'unavailable');
    }
    this.cancelHelloTimer();
    this.ctx.auth.used(this.claimsValue.deviceId);
    const { ratePerSec, burst } = this.ctx.config;
    this.reply({
      t: 'welcome',
      version,
      serverTime: this.ctx.clock.now(),
      user: this.claimsValue.username,
      device: this.claimsValue.deviceId,
      limits: { maxFrameBytes: MAX_FRAME_BYTES, maxObjectBytes: MAX_OBJECT_BYTES, ratePerSec, burst },
      heartbeat: { minMs: HEARTBEAT_MIN_MS, maxMs: HEARTBEAT_MAX_MS },
    });
  }

  private async reauth(token: string): Promise<void> {
    const claims = await this.ctx.auth.verify(token);
    const current = this.claimsValue;
    if (current && (claims.userId !== current.userId || claims.deviceId !== current.deviceId)) {
      throw new MichatError('Forbidden', 'a connection cannot change user or device');
    }
    this.claimsValue = claims;
  }
}
