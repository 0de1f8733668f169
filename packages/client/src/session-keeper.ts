import { MichatError, type Session } from '@michat/protocol';
import { Backoff } from './backoff.ts';
import type { HttpApi } from './http-api.ts';
import { backgroundTimeout, type TimerHandle } from './timers.ts';

/** An access token this close to expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 10_000;

export interface SessionKeeperDeps {
  http: HttpApi;
  session: Session;
  /** Server time (expiresAt is on the server's clock). */
  now(): number;
  /** Refresh this long before the access token expires (at most half its remaining life). */
  refreshBeforeMs: number;
  /** A new session was issued; the old refresh token is spent. */
  onSession(session: Session): void;
  /** The session cannot be renewed (refresh refused): the user must log in again. */
  onDead(error: MichatError): void;
}

/**
 * Holds the session and keeps its access token fresh. Refresh tokens are single-use and
 * rotate, so two refreshes must never race: every caller shares one in-flight refresh.
 */
export class SessionKeeper {
  private readonly deps: SessionKeeperDeps;
  private current: Session;
  private inflight: Promise<Session> | undefined;
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly retry = new Backoff({ initialMs: 1_000, maxMs: 30_000 });

  constructor(deps: SessionKeeperDeps) {
    this.deps = deps;
    this.current = deps.session;
  }

  get session(): Session {
    return this.current;
  }

  /** An access token that is not about to expire (refreshing first when needed). */
  async accessToken(): Promise<string> {
    if (this.current.expiresAt - this.deps.now() >= EXPIRY_MARGIN_MS) return this.current.accessToken;
    try {
      await this.refresh();
    } catch (e) {
      // Refused: the session is over. Unreachable: the token held is still offered, since a
      // relay cut off from the origin accepts it for a grace period (docs/operations.md).
      if (!(e instanceof MichatError) || e.kind === 'Unauthorized') throw e;
    }
    return this.current.accessToken;
  }

  /** Gets a new session now; concurrent callers share one request. */
  refresh(): Promise<Session> {
    this.inflight ??= this.deps.http
      .refresh(this.current.refreshToken)
      .then((session) => {
        this.current = session;
        this.retry.reset();
        this.deps.onSession(session);
        this.schedule();
        return session;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** Keeps refreshing ahead of expiry until stopped. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay?: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const remaining = this.current.expiresAt - this.deps.now();
    // Half the remaining life at most, so a server with short-lived tokens is not hammered.
    const wait = delay ?? (remaining <= 0 ? 0 : remaining - Math.min(this.deps.refreshBeforeMs, remaining / 2));
    this.timer = backgroundTimeout(() => {
      this.timer = undefined;
      this.refresh().catch((e: unknown) => {
        if (e instanceof MichatError && e.kind === 'Unauthorized') return this.deps.onDead(e);
        this.schedule(Math.max(this.retry.next(), e instanceof MichatError ? (e.retryAfterMs ?? 0) : 0));
      });
    }, wait);
  }
}
