import {
  MichatError,
  PROTOCOL_VERSION,
  decodeServerFrame,
  encodeFrame,
  type ClientFrame,
  type ServerFrame,
  type ServerFrameOf,
} from '@michat/protocol';
import type { Backoff } from './backoff.ts';
import { backgroundTimeout, type TimerHandle } from './timers.ts';

export type LinkState = 'idle' | 'connecting' | 'open' | 'closed';

/**
 * What an offline banner shows: `online` (welcomed), `connecting` (first attempt, or a retry
 * right after a drop) or `offline` (an attempt failed since the last time it was open, or the
 * client is not running).
 */
export type OnlineState = 'online' | 'connecting' | 'offline';

/** Close code the server uses when hello carried no valid token. */
const CLOSE_UNAUTHORIZED = 4401;
/** Close code a client uses for a socket it gave up on (application range 4000–4999). */
const CLOSE_ABANDONED = 4000;
/** Consecutive refused hellos (each after a refresh) before the session counts as dead. */
const MAX_AUTH_FAILURES = 2;

export interface LinkDeps {
  url: string;
  clientName: string | undefined;
  backoff: Backoff;
  openTimeoutMs: number;
  localNow(): number;
  /** The access token to say hello with. */
  token(): Promise<string>;
  /** The server refused the token: renew the session. Throws when it cannot be renewed. */
  reauthenticate(): Promise<void>;
  /** Test hook: inbound frames for which this returns true are dropped unseen. */
  dropInbound: ((frame: ServerFrame) => boolean) | undefined;
  onOpen(welcome: ServerFrameOf<'welcome'>, sentAt: number, receivedAt: number): void;
  onFrame(frame: ServerFrame): void;
  /** An open (welcomed) connection was lost. */
  onDown(): void;
  onState(state: LinkState): void;
  onOnlineState(state: OnlineState): void;
  onError(error: Error): void;
  /** Reconnecting cannot help (refused session, no common protocol version). */
  onFatal(error: MichatError): void;
}

/** What one connection attempt learnt before it ended. */
interface Attempt {
  ws: WebSocket;
  welcomed: boolean;
  sentAt: number;
  helloError: MichatError | undefined;
  needsAuth: boolean;
  openTimer: TimerHandle | undefined;
}

/**
 * The data-plane connection: one WebSocket at a time, hello → welcome, and reconnection
 * with backoff whenever it drops, until closed. It knows nothing of subscriptions or
 * requests; it reports open/down and passes frames on.
 */
export class Link {
  private readonly deps: LinkDeps;
  private stateValue: LinkState = 'idle';
  private current: Attempt | undefined;
  private reconnectTimer: TimerHandle | undefined;
  /** Delay the server asked for (bye, err) before the next attempt. */
  private serverDelayMs = 0;
  private authFailures = 0;
  private online: OnlineState = 'offline';
  /** An attempt failed since the link was last open: the banner says offline until it opens. */
  private failedSinceOpen = false;

  constructor(deps: LinkDeps) {
    this.deps = deps;
  }

  get state(): LinkState {
    return this.stateValue;
  }

  private get closed(): boolean {
    return this.stateValue === 'closed';
  }

  get isOpen(): boolean {
    return this.stateValue === 'open';
  }

  get onlineState(): OnlineState {
    return this.online;
  }

  /**
   * Tries at once instead of waiting out the backoff (the browser says the network is back).
   * No-op unless the link is waiting to retry.
   */
  retryNow(): void {
    if (this.reconnectTimer === undefined || this.closed) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.deps.backoff.reset();
    void this.attempt();
  }

  /** Starts connecting (no-op once started). */
  start(): void {
    if (this.stateValue !== 'idle') return;
    void this.attempt();
  }

  /** Sends a frame on the open connection; false when there is none (callers queue). */
  send(frame: ClientFrame): boolean {
    if (this.stateValue !== 'open' || !this.current) return false;
    this.current.ws.send(encodeFrame(frame));
    return true;
  }

  /**
   * Gives up on the open socket (it stopped answering) and reconnects at once. A half-open
   * socket can take minutes to report its close, so it is abandoned, not awaited.
   */
  abandon(reason: string): void {
    const attempt = this.current;
    if (!attempt || !attempt.welcomed || this.closed) return;
    this.current = undefined;
    attempt.ws.close(CLOSE_ABANDONED, reason);
    this.deps.onDown();
    this.setState('connecting');
    this.setOnline('connecting');
    this.deps.onError(new MichatError('Unavailable', `${reason}; reconnecting`));
    this.scheduleAttempt(0);
  }

  /** Stops reconnecting and closes the socket; resolves once it is closed (at most ~1 s). */
  close(): Promise<void> {
    const attempt = this.current;
    this.current = undefined;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.setState('closed');
    this.setOnline('offline');
    if (!attempt) return Promise.resolve();
    if (attempt.openTimer !== undefined) clearTimeout(attempt.openTimer);
    const ws = attempt.ws;
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = backgroundTimeout(done, 1_000);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      ws.addEventListener('close', done, { once: true });
      ws.close(1000, 'client closed');
    });
  }

  private setState(state: LinkState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.deps.onState(state);
  }

  private setOnline(state: OnlineState): void {
    if (this.online === state) return;
    this.online = state;
    this.deps.onOnlineState(state);
  }

  /** An attempt ended without a welcome: offline until the next one succeeds. */
  private attemptFailed(): void {
    this.failedSinceOpen = true;
    if (!this.closed) this.setOnline('offline');
  }

  private async attempt(): Promise<void> {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    this.setState('connecting');
    this.setOnline(this.failedSinceOpen ? 'offline' : 'connecting');
    let token: string;
    try {
      token = await this.deps.token();
    } catch (e) {
      return this.afterFailure(asMichatError(e));
    }
    if (this.closed) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.deps.url);
    } catch (e) {
      return this.fatal(new MichatError('BadRequest', `cannot open ${this.deps.url}: ${(e as Error).message}`));
    }
    ws.binaryType = 'arraybuffer';
    const attempt: Attempt = { ws, welcomed: false, sentAt: 0, helloError: undefined, needsAuth: false, openTimer: undefined };
    this.current = attempt;
    // A server that accepts the socket but never welcomes is as good as down.
    attempt.openTimer = backgroundTimeout(() => ws.close(), this.deps.openTimeoutMs);
    ws.addEventListener('open', () => {
      attempt.sentAt = this.deps.localNow();
      const hello: ClientFrame = { t: 'hello', versions: [PROTOCOL_VERSION], token, ...(this.deps.clientName !== undefined ? { client: this.deps.clientName } : {}) };
      ws.send(encodeFrame(hello));
    });
    ws.addEventListener('message', (ev) => this.message(attempt, ev.data));
    ws.addEventListener('close', (ev) => this.socketClosed(attempt, ev.code));
  }

  private message(attempt: Attempt, data: unknown): void {
    if (this.current !== attempt) return;
    if (!(data instanceof ArrayBuffer)) return this.deps.onError(new MichatError('BadFrame', 'the server sent a text frame'));
    const decoded = decodeServerFrame(new Uint8Array(data));
    if (!decoded.ok) return this.deps.onError(decoded.error);
    const frame = decoded.frame;
    if (this.deps.dropInbound?.(frame)) return;
    if (frame.t === 'bye') {
      // The socket closes next; remember how long the server wants us away, and why.
      this.serverDelayMs = frame.retryAfterMs ?? 0;
      attempt.needsAuth = frame.reason !== 'draining';
      return;
    }
    if (attempt.welcomed) return this.deps.onFrame(frame);
    if (frame.t === 'welcome') {
      attempt.welcomed = true;
      if (attempt.openTimer !== undefined) clearTimeout(attempt.openTimer);
      this.deps.backoff.reset();
      this.authFailures = 0;
      this.serverDelayMs = 0;
      this.failedSinceOpen = false;
      this.setState('open');
      this.setOnline('online');
      this.deps.onOpen(frame, attempt.sentAt, this.deps.localNow());
    } else if (frame.t === 'err') {
      attempt.helloError = new MichatError(frame.kind, frame.msg, frame.retryAfterMs);
    }
  }

  private socketClosed(attempt: Attempt, code: number): void {
    if (attempt.openTimer !== undefined) clearTimeout(attempt.openTimer);
    if (this.current !== attempt) return; // closed by close(), or superseded
    this.current = undefined;
    if (attempt.welcomed) this.deps.onDown();
    if (this.closed) return;
    this.setState('connecting');
    if (attempt.welcomed) this.setOnline('connecting');
    else this.attemptFailed();
    const err = attempt.helloError;
    if (err?.kind === 'UnsupportedVersion') return this.fatal(err);
    if (err?.kind === 'Unauthorized' || code === CLOSE_UNAUTHORIZED || attempt.needsAuth) {
      void this.reauthenticate();
      return;
    }
    this.scheduleAttempt(err?.retryAfterMs ?? 0);
  }

  private async reauthenticate(): Promise<void> {
    if (++this.authFailures > MAX_AUTH_FAILURES) {
      return this.fatal(new MichatError('Unauthorized', 'the server keeps refusing this session; log in again'));
    }
    try {
      await this.deps.reauthenticate();
    } catch (e) {
      return this.afterFailure(asMichatError(e));
    }
    this.scheduleAttempt(0);
  }

  private afterFailure(err: MichatError): void {
    if (err.kind === 'Unauthorized') return this.fatal(err);
    this.attemptFailed();
    this.deps.onError(err);
    this.scheduleAttempt(err.retryAfterMs ?? 0);
  }

  private scheduleAttempt(minMs: number): void {
    if (this.closed) return;
    const delay = Math.max(this.deps.backoff.next(), this.serverDelayMs, minMs);
    this.serverDelayMs = 0;
    // Not unref'd: while the socket is down this timer stands in for it, and a Node app
    // waiting on messages or an unacknowledged publish must not exit before it reconnects.
    this.reconnectTimer = setTimeout(() => void this.attempt(), delay);
  }

  private fatal(err: MichatError): void {
    if (this.closed) return;
    this.setState('closed');
    this.setOnline('offline');
    this.deps.onFatal(err);
  }
}

function asMichatError(e: unknown): MichatError {
  return e instanceof MichatError ? e : new MichatError('Unavailable', e instanceof Error ? e.message : String(e));
}
