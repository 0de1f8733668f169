import { isMissingRoute } from '../data/directory-api.ts';

/** A failure as a sentence for a form. */
export function errorText(e: unknown): string {
  if (isMissingRoute(e)) return 'This server does not offer that yet.';
  return e instanceof Error ? e.message : String(e);
}
