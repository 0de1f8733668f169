import type { MessageView } from '@michat/client';

/** `@name` handles in a text (the username rule). */
export function findMentions(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/(^|[^\w@])@([a-z0-9][a-z0-9._-]{0,63})/g)) out.add(m[2]!.replace(/[._-]+$/, ''));
  return [...out];
}

/** `@here` / `@channel` call everyone in the channel. */
export function mentionsEveryone(text: string): boolean {
  return /(^|[^\w@])@(here|channel)(?![\w-])/.test(text);
}

/** Whether a message calls the reader: the SDK's own test (user ids), or `@here`. */
export function callsMe(m: MessageView): boolean {
  return !m.mine && (m.mentionsMe || mentionsEveryone(m.text));
}
