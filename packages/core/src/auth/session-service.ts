import { MichatError, type Session } from '@michat/protocol';
import type { Directory } from '../directory/directory.ts';
import type { UserRecord } from '../directory/records.ts';
import type { Passwords } from './passwords.ts';
import type { Revocations } from './revocations.ts';
import type { SessionStore } from './session-store.ts';
import type { AccessClaims, TokenService } from './token-service.ts';

export { REFRESH_TTL_MS } from './session-store.ts';

export interface SessionServiceDeps {
  directory: Directory;
  tokens: TokenService;
  revocations: Revocations;
  store: SessionStore;
  passwords: Passwords;
  now(): number;
  /** A device refreshed its session (its last use). */
  onDeviceUsed?(deviceId: number): void;
}

/**
 * Sign-in: every password login is a new device with its own refresh session. A refresh is
 * single-use (taken and replaced), so a stolen, already-used refresh token is worthless.
 * Signing out is revocation state (see Revocations) plus deleting the refresh sessions, so
 * neither the device's access tokens nor its refresh tokens work afterwards.
 */
export class SessionService {
  private readonly deps: SessionServiceDeps;

  constructor(deps: SessionServiceDeps) {
    this.deps = deps;
  }

  async login(username: string, password: string, deviceName = 'device'): Promise<Session> {
    const user = await this.deps.directory.userByName(username);
    if (!(await this.deps.passwords.verify(user, password)) || !user) throw new MichatError('Unauthorized', 'wrong username or password');
    return this.openNewDevice(user, deviceName);
  }

  /** A new device for `user` and its first session (login, registration). */
  async openNewDevice(user: UserRecord, deviceName = 'device'): Promise<Session> {
    const device = await this.deps.directory.createDevice(user.id, deviceName);
    await this.deps.revocations.stampNewDevice(user.id, device.id);
    return this.open(user, device.id);
  }

  async refresh(refreshToken: string): Promise<Session> {
    const s = await this.deps.store.take(refreshToken);
    if (!s) throw new MichatError('Unauthorized', 'refresh token is invalid, used or expired; log in again');
    const user = await this.deps.directory.user(s.userId);
    if (!user) throw new MichatError('Unauthorized', 'user no longer exists');
    // A session of a signed-out device (or from before "log out everywhere") never refreshes.
    await this.deps.revocations.check({ userId: user.id, orgId: user.orgId, deviceId: s.deviceId });
    this.deps.onDeviceUsed?.(s.deviceId);
    return this.open(user, s.deviceId);
  }

  /** Ends this session and signs its device out (its access tokens stop working too). Unknown tokens are ignored. */
  async logout(refreshToken: string): Promise<void> {
    const s = await this.deps.store.take(refreshToken);
    if (s) await this.revokeDevice(s.userId, s.deviceId);
  }

  /** Signs out every device of the user: no refresh succeeds and open sockets close. */
  async logoutEverywhere(userId: number): Promise<void> {
    await this.deps.revocations.revokeUser(userId);
    await this.deps.store.deleteUser(userId);
  }

  /** Signs one device out: its sessions are deleted, its tokens refused, its sockets closed. */
  async revokeDevice(userId: number, deviceId: number): Promise<void> {
    await this.deps.revocations.revokeDevice(userId, deviceId);
    await this.deps.store.deleteDevice(userId, deviceId);
  }

  /** Changes the caller's password (rules checked) and signs out every other device of theirs. */
  async changePassword(who: AccessClaims, oldPassword: string, newPassword: string): Promise<void> {
    const user = await this.deps.directory.user(who.userId);
    if (!user) throw new MichatError('Unauthorized', 'your account no longer exists');
    if (!(await this.deps.passwords.verify(user, oldPassword))) throw new MichatError('Forbidden', 'the current password is wrong');
    await this.deps.passwords.change(user, newPassword, this.deps.now());
    await this.deps.revocations.revokeUser(user.id, who.deviceId);
    await this.deps.store.deleteUser(user.id, who.deviceId);
  }

  private async open(user: UserRecord, deviceId: number): Promise<Session> {
    const refreshToken = await this.deps.store.create(user.id, deviceId);
    const access = await this.deps.tokens.issue({ userId: user.id, username: user.username, orgId: user.orgId, deviceId, ...(user.relay ? { relay: true as const } : {}) });
    return { accessToken: access.token, refreshToken, expiresAt: access.expiresAt, userId: user.id, username: user.username, orgId: user.orgId, deviceId };
  }
}
