import type { ReactionView } from './message-view.ts';
import type { TimelineEntry } from './timeline-entry.ts';

export interface Reactor {
  /** Who counts once: the user id when known, else the device. */
  key(device: number): string;
  userOf(device: number): number | undefined;
  isMe(device: number): boolean;
}

/**
 * Folds reaction objects on one message: per (user, emoji) the latest object by position
 * wins, and those that are "on" count. Emojis come in the order of their earliest counted
 * reaction, so the result depends on the set of objects only, never on arrival order.
 */
export function tallyReactions(reactions: Iterable<TimelineEntry>, who: Reactor): ReactionView[] {
  const latest = new Map<string, TimelineEntry>();
  for (const r of reactions) {
    if (r.payload.type !== 'reaction') continue;
    const key = `${who.key(r.device)}\n${r.payload.emoji}`;
    const held = latest.get(key);
    if (!held || r.position > held.position) latest.set(key, r);
  }
  const byEmoji = new Map<string, { view: ReactionView; first: string }>();
  for (const r of latest.values()) {
    if (r.payload.type !== 'reaction' || !r.payload.on) continue;
    const emoji = r.payload.emoji;
    let slot = byEmoji.get(emoji);
    if (!slot) {
      slot = { view: { emoji, count: 0, users: [], mine: false }, first: r.position };
      byEmoji.set(emoji, slot);
    }
    slot.view.count++;
    const user = who.userOf(r.device);
    if (user !== undefined) slot.view.users.push(user);
    if (who.isMe(r.device)) slot.view.mine = true;
    if (r.position < slot.first) slot.first = r.position;
  }
  return [...byEmoji.values()]
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.view.emoji < b.view.emoji ? -1 : 1))
    .map(({ view }) => ({ ...view, users: [...new Set(view.users)].sort((a, b) => a - b) }));
}
