import { HttpApi, MichatError, SessionKeeper, type Session } from '@michat/client';

/** Refresh the relay's access token this long before it expires. */
const REFRESH_BEFORE_MS = 60_000;

export interface UpstreamIdentityDeps {
  /** The parent's base HTTP URL. */
  url: string;
  /** A relay account of the origin (`michat admin relay add`). */
  username: string;
  password: string;
  /** The device name the parent lists for this relay. */
  deviceName: string;
  now(): number;
  /** A new access token was issued (an open link sends it as `auth`). */
  onToken(token: string): void;
  /** Where the session is kept between restarts (so a restart reuses the relay's device). */
  saved?: { load(): Promise<Session | undefined>; save(session: Session): Promise<void> };
}

/**
 * Who the relay is upstream: its relay account, signed in with a password and kept fresh by
 * refreshing. A refused refresh signs in again; an unreachable parent is the caller's to retry.
 */
export class UpstreamIdentity {
  readonly http: HttpApi;
  private readonly deps: UpstreamIdentityDeps;
  private keeper: SessionKeeper | undefined;
  private signingIn: Promise<SessionKeeper> | undefined;
  private stopped = false;

  constructor(deps: UpstreamIdentityDeps) {
    this.deps = deps;
    this.http = new HttpApi(deps.url);
  }

  /** A current access token (signing in first when there is no session). */
  async token(): Promise<string> {
    return (this.keeper ?? (await this.signIn())).accessToken();
  }

  /** The parent refused the token: refresh, or sign in again when the session is gone. */
  async renew(): Promise<void> {
    const keeper = this.keeper;
    if (!keeper) {
      await this.signIn();
      return;
    }
    try {
      await keeper.refresh();
    } catch (e) {
      if (!(e instanceof MichatError) || e.kind !== 'Unauthorized') throw e;
      this.drop(keeper);
      await this.signIn();
    }
  }

  stop(): void {
    this.stopped = true;
    this.keeper?.stop();
  }

  private signIn(): Promise<SessionKeeper> {
    this.signingIn ??= this.resume()
      .then((session) => session ?? this.http.login(this.deps.username, this.deps.password, this.deps.deviceName))
      .then((session) => {
        void this.deps.saved?.save(session);
        return this.keep(session);
      })
      .finally(() => {
        this.signingIn = undefined;
      });
    return this.signingIn;
  }

  /** The saved session of this account, refreshed; undefined when there is none or it was refused. */
  private async resume(): Promise<Session | undefined> {
    const saved = await this.deps.saved?.load();
    if (!saved || saved.username !== this.deps.username) return undefined;
    try {
      return await this.http.refresh(saved.refreshToken);
    } catch (e) {
      if (e instanceof MichatError && e.kind === 'Unauthorized') return undefined;
      throw e;
    }
  }

  private keep(session: Session): SessionKeeper {
    const keeper: SessionKeeper = new SessionKeeper({
      http: this.http,
      session,
      now: this.deps.now,
      refreshBeforeMs: REFRESH_BEFORE_MS,
      onSession: (s) => {
        void this.deps.saved?.save(s);
        this.deps.onToken(s.accessToken);
      },
      onDead: () => this.drop(keeper),
    });
    this.keeper = keeper;
    if (!this.stopped) keeper.start();
    return keeper;
  }

  private drop(keeper: SessionKeeper): void {
    keeper.stop();
    if (this.keeper === keeper) this.keeper = undefined;
  }
}
