import { MAX_WATCHED_CHANNELS, MichatError, channelKey, type ClientFrame, type ServerFrame, type ServerFrameOf } from '@michat/protocol';
import { Backoff } from './backoff.ts';
import type { ClientEvents, MichatClientOptions } from './client-types.ts';
import type { Emitter } from './emitter.ts';
import { Heartbeat } from './heartbeat.ts';
import { Liveness } from './liveness.ts';
import { Link } from './link.ts';
import { PresenceRoster, type PresenceStatus } from './presence-roster.ts';
import { RequestQueue } from './request-queue.ts';
import type { ServerClock } from './server-clock.ts';
import { Subscriptions } from './subscriptions.ts';

export interface DataPlaneDeps {
  serverUrl: string;
  options: MichatClientOptions;
  clock: ServerClock;
  events: Emitter<ClientEvents>;
  /** A current access token for hello. */
  accessToken(): Promise<string>;
  /** Renews the session after the server refused the token; throws when it cannot. */
  renewSession(): Promise<void>;
  /** Reconnecting cannot help: the client must close. */
  onFatal(error: MichatError): void;
  /** A socket was welcomed and everything pending was resent (the outbox sends its store). */
  onOpened(): void;
}

const MAX_REQUEST_ID = 0xffffffff;
/** Ping after this many heartbeat periods (`maxMs`) with nothing heard… */
const PING_IDLE_BEATS = 2;
/** …and give the socket up when nothing answers within this (default). */
const PONG_TIMEOUT_MS = 5_000;

/**
 * The WebSocket side of the client, wired together: the reconnecting link, requests that
 * outlive sockets, subscriptions, heartbeats and presence. Each new socket resubscribes
 * and resends what is pending; each lost one invalidates what was in flight on it.
 */
export class DataPlane {
  readonly link: Link;
  readonly requests: RequestQueue;
  readonly subscriptions: Subscriptions;
  readonly roster = new PresenceRoster();
  private readonly deps: DataPlaneDeps;
  private readonly heartbeat: Heartbeat;
  private readonly liveness: Liveness;
  private presenceStatus: PresenceStatus;
  private lastRequestId = 0;

  constructor(deps: DataPlaneDeps) {
    this.deps = deps;
    const { options, events } = deps;
    this.presenceStatus = options.presence ?? 'active';
    const nextId = () => this.nextRequestId();
    const send = (frame: ClientFrame) => this.link.send(frame);
    this.requests = new RequestQueue({ send, nextId, reauthenticate: deps.renewSession });
    this.subscriptions = new Subscriptions({ send, nextId, onError: (e) => events.emit('error', e) });
    this.heartbeat = new Heartbeat(() => this.beat());
    this.liveness = new Liveness({
      localNow: () => deps.clock.localNow(),
      ping: () => this.link.send({ t: 'ping', id: this.nextRequestId() }),
      dead: () => this.link.abandon('no answer to ping'),
    });
    this.link = new Link({
      url: `${deps.serverUrl.replace(/^http(s?):/i, 'ws$1:')}/ws`,
      clientName: options.clientName,
      backoff: new Backoff(options.backoff),
      openTimeoutMs: options.openTimeoutMs ?? 10_000,
      localNow: () => deps.clock.localNow(),
      token: deps.accessToken,
      reauthenticate: deps.renewSession,
      dropInbound: options.debug?.dropInbound,
      onOpen: (welcome, sentAt, receivedAt) => this.opened(welcome, sentAt, receivedAt),
      onFrame: (frame) => this.dispatch(frame),
      onDown: () => this.down(),
      onState: (state) => events.emit('state', state),
      onOnlineState: (state) => events.emit('onlineState', state),
      onError: (e) => events.emit('error', e),
      onFatal: deps.onFatal,
    });
  }

  send(frame: ClientFrame): boolean {
    return this.link.send(frame);
  }

  /** Changes the announced status and beats at once so others see it soon. */
  setPresence(status: PresenceStatus): void {
    this.presenceStatus = status;
    if (this.link.isOpen) this.beat();
  }

  /** Stops heartbeats and reconnects, fails what is pending with `error`, closes the socket. */
  close(error: Error): Promise<void> {
    this.heartbeat.stop();
    this.liveness.stop();
    this.requests.failAll(error);
    this.subscriptions.closeAll(error);
    this.roster.clear();
    return this.link.close();
  }

  private nextRequestId(): number {
    this.lastRequestId = this.lastRequestId >= MAX_REQUEST_ID ? 1 : this.lastRequestId + 1;
    return this.lastRequestId;
  }

  private opened(welcome: ServerFrameOf<'welcome'>, sentAt: number, receivedAt: number): void {
    this.deps.clock.learn(welcome.serverTime, sentAt, receivedAt);
    this.subscriptions.open();
    this.requests.resendAll();
    const beats = this.deps.options.heartbeat ?? welcome.heartbeat;
    this.heartbeat.start(beats);
    this.liveness.start(PING_IDLE_BEATS * beats.maxMs, this.deps.options.pongTimeoutMs ?? PONG_TIMEOUT_MS);
    this.deps.onOpened();
  }

  private down(): void {
    this.heartbeat.stop();
    this.liveness.stop();
    this.requests.down();
    this.subscriptions.down();
    this.roster.clear();
  }

  private dispatch(frame: ServerFrame): void {
    const { events } = this.deps;
    this.liveness.heard();
    switch (frame.t) {
      case 'pong':
        return; // heard: that is all a pong is for
      case 'obj':
        return this.subscriptions.live(frame);
      case 'vec':
        return this.subscriptions.vec(frame);
      case 'presence':
        return events.emit('presence', this.roster.apply(frame));
      case 'typing':
        return events.emit('typing', { channel: channelKey(frame.channel), user: frame.user, device: frame.device });
      case 'err':
        if (this.requests.dispatch(frame) || this.subscriptions.dispatch(frame) || frame.id !== undefined) return;
        // Not an answer (heartbeat, typing, auth): the access token may have run out.
        if (frame.kind === 'Unauthorized') this.deps.renewSession().catch(() => undefined);
        return events.emit('error', new MichatError(frame.kind, frame.msg, frame.retryAfterMs));
      default:
        if (!this.requests.dispatch(frame)) this.subscriptions.dispatch(frame);
    }
  }

  /** Presence plus the digest of each caught-up subscription, in frames of at most 256. */
  private beat(): void {
    const watch = this.subscriptions.watchList();
    for (let i = 0; i === 0 || i < watch.length; i += MAX_WATCHED_CHANNELS) {
      this.link.send({ t: 'hb', status: this.presenceStatus, watch: watch.slice(i, i + MAX_WATCHED_CHANNELS) });
    }
  }
}
