import type { Revocations } from './revocations.ts';
import type { AccessClaims, TokenService } from './token-service.ts';

/**
 * The one check every entry point uses (HTTP bearer, WebSocket hello, `auth` frame): a
 * token signed by a key of ours, not expired, whose org, user and device still exist and
 * are signed in.
 */
export class Authenticator {
  private readonly tokens: TokenService;
  private readonly revocations: Revocations;

  constructor(tokens: TokenService, revocations: Revocations) {
    this.tokens = tokens;
    this.revocations = revocations;
  }

  /** The token's claims, or MichatError(Unauthorized). */
  async verify(token: string): Promise<AccessClaims> {
    const claims = await this.tokens.verify(token);
    await this.revocations.check(claims);
    return claims;
  }

  /** Re-checks claims verified earlier (an open socket's): Unauthorized once signed out. Cached, so cheap. */
  check(claims: AccessClaims): Promise<void> {
    return this.revocations.check(claims);
  }
}
