import type { AccessClaims } from '../auth/token-service.ts';

/** What the API's middleware puts on every request's context. */
export type ApiEnv = {
  Variables: {
    /** The verified bearer (routes behind the bearer middleware only). */
    claims: AccessClaims;
    /** The caller's address as the host reports it ('unknown' when it cannot tell). */
    clientIp: string;
  };
};
