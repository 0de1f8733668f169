import { MichatError, type Session } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { Directory } from '../directory/directory.ts';
import { dirKeys, type UserRecord } from '../directory/records.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import type { TokenService } from './token-service.ts';

/** Refresh sessions last this long without use. */
export const REFRESH_TTL_MS = 30 * 24 * 3600_000;

interface StoredSession {
  userId: number;
  deviceId: number;
  expiresAt: number;
}

/**
 * Sign-in: a password login makes a new device and a refresh session (an opaque random
 * token, stored only as its SHA-256). A refresh is single-use: it is taken and replaced,
 * so a stolen, already-used refresh token is worthless.
 */
export class SessionService {
  private readonly kv: KvStore;
  private readonly clock: Clock;
  private readonly hasher: PasswordHasher;
  private readonly directory: Directory;
  private readonly tokens: TokenService;
  private readonly dummyHash: Promise<string>;

  constructor(deps: { kv: KvStore; clock: Clock; hasher: PasswordHasher; directory: Directory; tokens: TokenService }) {
    this.kv = deps.kv;
    this.clock = deps.clock;
    this.hasher = deps.hasher;
    this.directory = deps.directory;
    this.tokens = deps.tokens;
    this.dummyHash = this.hasher.hash('timing-equalizer');
    this.dummyHash.catch(() => undefined);
  }

  async login(username: string, password: string, deviceName = 'device'): Promise<Session> {
    const user = await this.directory.userByName(username);
    // Hash even for unknown users, so response time does not reveal which usernames exist.
    const ok = await this.hasher.verify(user?.passwordHash ?? (await this.dummyHash), password);
    if (!user || !ok) throw new MichatError('Unauthorized', 'wrong username or password');
    const device = await this.directory.createDevice(user.id, deviceName);
    return this.open(user, device.id);
  }

  async refresh(refreshToken: string): Promise<Session> {
    const taken = await this.kv.take(dirKeys.session(await sha256(refreshToken)));
    const s = taken ? parseJsonBytes<StoredSession>(taken) : undefined;
    if (!s || s.expiresAt <= this.clock.now()) throw new MichatError('Unauthorized', 'refresh token is invalid, used or expired; log in again');
    const user = await this.directory.user(s.userId);
    if (!user) throw new MichatError('Unauthorized', 'user no longer exists');
    return this.open(user, s.deviceId);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.kv.delete(dirKeys.session(await sha256(refreshToken)));
  }

  private async open(user: UserRecord, deviceId: number): Promise<Session> {
    const refreshToken = randomToken();
    const stored: StoredSession = { userId: user.id, deviceId, expiresAt: this.clock.now() + REFRESH_TTL_MS };
    await this.kv.put(dirKeys.session(await sha256(refreshToken)), jsonBytes(stored));
    const access = await this.tokens.issue({ userId: user.id, username: user.username, orgId: user.orgId, deviceId });
    return { accessToken: access.token, refreshToken, expiresAt: access.expiresAt, userId: user.id, username: user.username, orgId: user.orgId, deviceId };
  }
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}
