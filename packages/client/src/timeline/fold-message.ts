import type { MessageView, TimelineIdentity } from './message-view.ts';
import { tallyReactions } from './reaction-tally.ts';
import type { TimelineEntry } from './timeline-entry.ts';
import type { TimelineIndex } from './timeline-index.ts';

/** Who is who in a channel view: sender checks, "mine", reaction keys. */
export class Senders {
  readonly identity: TimelineIdentity;

  constructor(identity: TimelineIdentity) {
    this.identity = identity;
  }

  /** Same user, or the same device while an owner is unknown. */
  same(a: number, b: number): boolean {
    if (a === b) return true;
    const ua = this.identity.userOf(a);
    return ua !== undefined && ua === this.identity.userOf(b);
  }

  isMe(device: number): boolean {
    const me = this.identity.me;
    return me !== undefined && (device === me.deviceId || this.identity.userOf(device) === me.userId);
  }

  /** Who counts once for reactions: the user when known, else the device. */
  key(device: number): string {
    const user = this.identity.userOf(device);
    return user !== undefined ? `u${user}` : `d${device}`;
  }

  userOf(device: number): number | undefined {
    return this.identity.userOf(device);
  }
}

/**
 * Edits, deletes and reactions that count: a failed one (refused by the server) does not, and
 * an unsigned (plaintext) one never changes an end-to-end encrypted message.
 */
function effective(index: TimelineIndex, hex: string): TimelineEntry[] {
  const target = index.get(hex);
  return index.related(hex).filter((r) => r.delivery?.state !== 'failed' && (!target?.e2ee || r.e2ee));
}

export function isDeleted(index: TimelineIndex, senders: Senders, e: TimelineEntry): boolean {
  return effective(index, e.hex).some((r) => r.role === 'delete' && senders.same(r.device, e.device));
}

/** Folds one message with everything that refers to it into its view. */
export function foldMessage(index: TimelineIndex, senders: Senders, channel: string, e: TimelineEntry): MessageView {
  const related = effective(index, e.hex);
  const deleted = related.some((r) => r.role === 'delete' && senders.same(r.device, e.device));
  let edit: TimelineEntry | undefined;
  if (e.payload.type === 'text') {
    for (const r of related) if (r.role === 'edit' && senders.same(r.device, e.device) && (!edit || r.position > edit.position)) edit = r;
  }
  const latest = edit?.payload.type === 'text' ? edit.payload : e.payload.type === 'text' ? e.payload : undefined;
  const mentions = deleted ? [] : (latest?.mentions ?? []);
  let replies = 0;
  let lastReplyAt: number | undefined;
  for (const reply of index.replies(e.hex)) {
    if (reply.delivery?.state === 'failed' || isDeleted(index, senders, reply)) continue;
    replies++;
    lastReplyAt = Math.max(lastReplyAt ?? 0, reply.obj.created);
  }
  const { identity } = senders;
  const userId = identity.userOf(e.device);
  const username = identity.usernameOf?.(e.device);
  return {
    id: e.localId ?? e.hex,
    name: e.hex,
    channel,
    position: e.position,
    created: e.obj.created,
    device: e.device,
    seq: e.seq,
    ...(userId !== undefined ? { userId } : {}),
    ...(username !== undefined ? { username } : {}),
    kind: latest ? 'text' : 'unknown',
    text: deleted ? '' : (latest?.text ?? ''),
    mentions,
    edited: edit !== undefined,
    ...(edit ? { editedAt: edit.obj.created } : {}),
    deleted,
    ...(e.threadRoot !== undefined ? { threadRoot: e.threadRoot } : {}),
    replies,
    ...(lastReplyAt !== undefined ? { lastReplyAt } : {}),
    reactions: deleted ? [] : tallyReactions(related.filter((r) => r.role === 'reaction'), senders),
    mine: senders.isMe(e.device),
    mentionsMe: identity.me !== undefined && mentions.includes(identity.me.userId),
    state: e.delivery?.state ?? 'sent',
    e2ee: e.e2ee,
    ...(e.sealed ? { undecryptable: e.sealed } : {}),
    ...(e.delivery?.error ? { error: e.delivery.error } : {}),
  };
}
