/**
 * Typed error kinds shared by the data plane, the HTTP API and the SDK. They double as
 * metric labels. Retryable kinds carry `retryAfterMs` when the server knows a good delay.
 */
export const ERROR_KINDS = [
  'BadFrame', // the frame could not be decoded or does not match its schema
  'BadRequest', // well-formed but semantically invalid (wrong prefix length, bad cursor…)
  'UnsupportedVersion', // no protocol version in common
  'Unauthorized', // no valid credentials (missing, expired or forged token)
  'Forbidden', // authenticated, but not allowed to do this
  'NotFound', // the thing named does not exist (or is not visible to the caller)
  'Conflict', // the name already holds different bytes, or a unique name is taken
  'TooLarge', // frame or object over the documented limit
  'RateLimited', // too many frames or requests; retry after retryAfterMs
  'ClockSkew', // `created` too far from the server's clock; see serverTime
  'Expired', // the object's expiry is already past
  'Overloaded', // the server sheds load; retry after retryAfterMs
  'Unavailable', // storage or a dependency is down; retry after retryAfterMs
  'Internal', // a bug; the message says no more than that
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Kinds a client should retry (with the same name for publishes). */
export const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set(['RateLimited', 'Overloaded', 'Unavailable', 'Internal']);

/** An error that carries a protocol kind; thrown inside the core, turned into frames at the edge. */
export class MichatError extends Error {
  readonly kind: ErrorKind;
  readonly retryAfterMs: number | undefined;
  constructor(kind: ErrorKind, message: string, retryAfterMs?: number) {
    super(message);
    this.name = `MichatError(${kind})`;
    this.kind = kind;
    this.retryAfterMs = retryAfterMs;
  }
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

/** HTTP status for each kind, used by the control plane. */
export const HTTP_STATUS: Record<ErrorKind, number> = {
  BadFrame: 400,
  BadRequest: 400,
  UnsupportedVersion: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  TooLarge: 413,
  RateLimited: 429,
  ClockSkew: 400,
  Expired: 400,
  Overloaded: 503,
  Unavailable: 503,
  Internal: 500,
};
