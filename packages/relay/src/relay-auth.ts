import { MichatError } from '@michat/protocol';
import type { AccessClaims, Clock, OriginKeys } from '@michat/core';

/**
 * While the parent is unreachable, an access token that expired less than this long ago is
 * still accepted (it cannot be refreshed until the origin is back): a LAN keeps working
 * through a long outage. With the parent reachable, expired means expired.
 */
export const OFFLINE_GRACE_MS = 24 * 3600_000;

export interface RelayAuthDeps {
  keys: OriginKeys;
  clock: Clock;
  /** Whether the parent is reachable now. */
  online(): boolean;
  graceMs?: number;
}

/**
 * How a relay checks who a client is, without asking anyone: the token's signature against
 * the origin's published keys (a relay can verify, never mint), issuer and expiry. The
 * relay knows nothing of revocations: a signed-out device keeps working through it until
 * its access token expires (15 minutes), or the grace period while offline.
 */
export class RelayAuth {
  private readonly deps: RelayAuthDeps;

  constructor(deps: RelayAuthDeps) {
    this.deps = deps;
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      return await this.deps.keys.verify(token);
    } catch (e) {
      if (!(e instanceof MichatError) || e.kind !== 'Unauthorized' || this.deps.online()) throw e;
      const grace = this.deps.graceMs ?? OFFLINE_GRACE_MS;
      const claims = await this.deps.keys.verify(token, this.deps.clock.now() - grace);
      // Valid (signature, issuer) and expired less than the grace ago: good until the grace ends.
      return { ...claims, expiresAt: claims.expiresAt + grace };
    }
  }

  async check(): Promise<void> {}

  used(): void {}
}
