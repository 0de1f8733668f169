import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/**
 * The caller's IP for rate limits. Behind a reverse proxy every request comes from the
 * proxy, so with `trustProxy` the address is the last `X-Forwarded-For` entry: the one the
 * proxy in front of us appended (earlier entries are whatever the client claimed). Without
 * it the header is ignored, or anyone could pick a fresh IP per request.
 */
export function clientIp(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not served by the Node adapter (app.request in tests)
  }
}
