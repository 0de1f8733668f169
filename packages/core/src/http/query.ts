import type { Context } from 'hono';
import { MichatError } from '@michat/protocol';

/** An optional numeric query parameter (`?teamId=3`), or BadRequest. */
export function optionalIdQuery(c: Context, name: string): number | undefined {
  const v = c.req.query(name);
  if (v === undefined) return undefined;
  if (!/^\d{1,10}$/.test(v)) throw new MichatError('BadRequest', `${name} must be a number`);
  return Number(v);
}
