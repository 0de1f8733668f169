import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTP_STATUS, MichatError } from '@michat/protocol';
import type { Logger } from '../ports/telemetry.ts';
import { typedError } from '../util/typed-error.ts';

/** Reads and validates a JSON body; BadRequest names the first bad field. */
export async function body<T>(c: Context, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new MichatError('BadRequest', 'the body must be JSON');
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new MichatError('BadRequest', issue ? `${issue.path.map(String).join('.') || 'body'}: ${issue.message}` : 'invalid body');
}

/** A numeric path parameter, or BadRequest. */
export function idParam(c: Context, name: string): number {
  const v = c.req.param(name) ?? '';
  if (!/^\d{1,10}$/.test(v)) throw new MichatError('BadRequest', `${name} must be a number`);
  return Number(v);
}

/** Turns any thrown error into the typed JSON error body; stack traces never leave. */
export function errorResponse(c: Context, e: unknown, logger: Logger): Response {
  const { error: err, expected } = typedError(e);
  if (!expected) logger.error({ err: e, path: c.req.path }, 'request failed');
  if (err.retryAfterMs !== undefined) c.header('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
  const status = HTTP_STATUS[err.kind] as ContentfulStatusCode;
  return c.json({ error: { kind: err.kind, message: err.message, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) } }, status);
}
