import { MichatError } from '@michat/protocol';

/** Thrown for a user mistake the CLI explains in one line (exit code 1, no stack). */
export class CliError extends Error {}

/** Prints an error the way a user should see it and sets a failing exit code. */
export function reportError(e: unknown): void {
  if (e instanceof MichatError) console.error(`error: ${e.kind}: ${e.message}${e.retryAfterMs !== undefined ? ` (retry after ${e.retryAfterMs} ms)` : ''}`);
  else if (e instanceof CliError) console.error(`error: ${e.message}`);
  else if (e instanceof Error && 'code' in e && (e as { code?: string }).code === 'ECONNREFUSED') console.error('error: cannot reach the server (connection refused)');
  else if (e instanceof TypeError && e.message === 'fetch failed') console.error(`error: cannot reach the server (${(e.cause as Error | undefined)?.message ?? 'fetch failed'})`);
  else console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}

/** Human text by default, one JSON document with --json. */
export function print(json: boolean, value: unknown, human: string): void {
  console.log(json ? JSON.stringify(value) : human);
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`not a port: ${v}`);
  return n;
}

export function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`not a positive integer: ${v}`);
  return n;
}
