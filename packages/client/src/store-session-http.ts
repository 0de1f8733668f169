import type { Session } from '@michat/protocol';
import { HttpApi } from './http-api.ts';
import type { LocalStore } from './store/local-store.ts';
import { loadProfile, saveProfile } from './store/store-records.ts';

/** A stored session this close to expiry is refreshed rather than adopted. */
const ADOPT_MARGIN_MS = 30_000;

/**
 * The HTTP API of a client with a LocalStore, whose refresh is shared by every tab (or
 * client instance) over the store. Refresh tokens are single-use: when one tab refreshes,
 * the others' tokens are spent. So refreshes run one at a time (a store lock, a Web Lock in
 * browsers), and a tab whose token is older than the stored session adopts the stored one
 * (or refreshes with its token) instead of spending a dead token and being logged out.
 */
export class StoreSessionHttp extends HttpApi {
  private readonly store: LocalStore;
  private readonly current: () => Session;
  private readonly now: () => number;

  constructor(serverUrl: string, store: LocalStore, current: () => Session, now: () => number) {
    super(serverUrl);
    this.store = store;
    this.current = current;
    this.now = now;
  }

  override refresh(refreshToken: string): Promise<Session> {
    return this.store.exclusive('session-refresh', async () => {
      const saved = (await loadProfile(this.store))?.session;
      const mine = this.current();
      let token = refreshToken;
      if (saved && saved.refreshToken !== refreshToken && saved.userId === mine.userId && saved.deviceId === mine.deviceId) {
        if (saved.expiresAt - this.now() > ADOPT_MARGIN_MS) return saved; // another tab refreshed first
        token = saved.refreshToken;
      }
      const session = await super.refresh(token);
      await saveProfile(this.store, { serverUrl: this.baseUrl, session });
      return session;
    });
  }
}
