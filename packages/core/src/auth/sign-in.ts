import type { KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { Directory } from '../directory/directory.ts';
import { Authenticator } from './authenticator.ts';
import { Devices, type DeviceKeyLookup } from './devices.ts';
import { InviteStore } from './invite-store.ts';
import { Invites } from './invites.ts';
import { Passwords } from './passwords.ts';
import { RateLimits, type RateLimitConfig } from './rate-limits.ts';
import { Revocations } from './revocations.ts';
import { SessionService } from './session-service.ts';
import { SessionStore } from './session-store.ts';
import { TokenService } from './token-service.ts';

/** The sign-in parts of a node, wired together. */
export interface SignIn {
  tokens: TokenService;
  revocations: Revocations;
  auth: Authenticator;
  sessions: SessionService;
  devices: Devices;
  invites: Invites;
  limits: RateLimits;
}

export function createSignIn(deps: { kv: KvStore; clock: Clock; hasher: PasswordHasher; directory: Directory; deviceKeyOf: DeviceKeyLookup; rateLimits?: Partial<RateLimitConfig> | undefined }): SignIn {
  const { kv, clock, directory } = deps;
  const tokens = new TokenService(kv, clock);
  const revocations = new Revocations(kv, clock, directory);
  // Devices records last use on refresh; it needs the sessions, which report refreshes to it.
  let devices: Devices | undefined;
  const sessions = new SessionService({
    directory,
    tokens,
    revocations,
    store: new SessionStore(kv, clock),
    passwords: new Passwords(kv, deps.hasher),
    now: () => clock.now(),
    onDeviceUsed: (id) => devices?.used(id),
  });
  devices = new Devices({ kv, clock, directory, revocations, sessions, keyOf: deps.deviceKeyOf });
  return {
    tokens,
    revocations,
    auth: new Authenticator(tokens, revocations),
    sessions,
    devices,
    invites: new Invites({ directory, store: new InviteStore(kv), sessions, clock }),
    limits: new RateLimits(deps.rateLimits ?? {}, clock),
  };
}
