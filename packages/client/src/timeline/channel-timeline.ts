import { bytesEqual, type ErrorKind, type MichatObject } from '@michat/protocol';
import { Senders, foldMessage } from './fold-message.ts';
import type { DeliveryState, MessageView, TimelineIdentity } from './message-view.ts';
import { toEntry, type PayloadOpener, type TimelineEntry } from './timeline-entry.ts';
import { TimelineIndex } from './timeline-index.ts';

type LocalState = Exclude<DeliveryState, 'sent'>;

/**
 * A channel's objects folded into what a UI lists: messages in display order (created,
 * device, seq) with their latest edit, deletion, reactions and thread reply counts, plus the
 * current user's unread and mention counts. Pure and synchronous: the result depends on the
 * set of objects (and on who owns which device), never on the order or number of times they
 * were added. Views are built lazily and reused until something they depend on changes, so
 * unchanged messages keep their identity between renders.
 *
 * Rules: an edit (`text` with `replaces`) or a delete counts only from the original's sender
 * (same user, or the same device while owners are unknown), and the latest edit by position
 * wins; per user and emoji the latest reaction wins; the read mark is the furthest of this
 * user's `read` objects and the local mark. Messages still queued here (`setLocal`) show with
 * their delivery state; the stored copy replaces them when it arrives.
 */
export class ChannelTimeline {
  readonly channel: string;
  private senders: Senders;
  private readonly index = new TimelineIndex();
  /** localId → name of the queued copy shown for it. */
  private readonly localNames = new Map<string, string>();
  private readonly views = new Map<string, MessageView>();
  private localReadMark: string | undefined;
  private topLevel: MessageView[] | undefined;

  private readonly open: PayloadOpener | undefined;

  /** `open` reads sealed payloads (end-to-end encryption); without it they show as undecryptable. */
  constructor(channel: string, identity: TimelineIdentity = { userOf: () => undefined }, open?: PayloadOpener) {
    this.channel = channel;
    this.senders = new Senders(identity);
    this.open = open;
  }

  /** Sealed payloads were opened (or failed): their messages are decoded again. True when one changed. */
  reopen(hexes: Iterable<string>): boolean {
    let changed = false;
    for (const hex of hexes) {
      const held = this.index.get(hex);
      if (!held || !held.sealed) continue;
      const entry = toEntry(held.obj, this.channel, this.open);
      this.remove(held);
      if (!entry) continue; // forged: it goes
      if (held.localId !== undefined) entry.localId = held.localId;
      if (held.delivery) entry.delivery = held.delivery;
      this.insert(entry);
      changed = true;
    }
    return changed;
  }

  /** Adds a stored object (any order, any number of times); true when it changed the view. */
  add(obj: MichatObject, localId?: string): boolean {
    const entry = toEntry(obj, this.channel, this.open);
    if (!entry) return false;
    const held = this.index.get(entry.hex);
    if (held && !held.delivery) return false;
    if (held) {
      // The queued copy: the stored one replaces it. Other bytes under that name are another
      // message (the name was taken before): ours is shown again once renumbered.
      this.remove(held);
      if (bytesEqual(held.obj.bytes, obj.bytes)) localId ??= held.localId;
    }
    if (localId !== undefined) {
      entry.localId = localId;
      if (this.localNames.get(localId) === entry.hex) this.localNames.delete(localId);
    }
    this.insert(entry);
    return true;
  }

  addAll(objects: Iterable<MichatObject>): boolean {
    let changed = false;
    for (const obj of objects) changed = this.add(obj) || changed;
    return changed;
  }

  /** Shows (or updates) a message queued on this device; a renumbered one replaces its old name. */
  setLocal(localId: string, obj: MichatObject, state: LocalState, error?: { kind: ErrorKind; message: string }): void {
    const entry = toEntry(obj, this.channel, this.open);
    if (!entry) return;
    this.removeLocal(localId);
    if (this.index.get(entry.hex)) return; // already stored: nothing pending about it
    entry.localId = localId;
    entry.delivery = { state, ...(error ? { error } : {}) };
    this.localNames.set(localId, entry.hex);
    this.insert(entry);
  }

  /** Drops the queued copy of a message (discarded, or about to be replaced); a stored one stays. */
  removeLocal(localId: string): void {
    const hex = this.localNames.get(localId);
    if (hex === undefined) return;
    this.localNames.delete(localId);
    const entry = this.index.get(hex);
    if (entry?.delivery) this.remove(entry);
  }

  /** New device owners are known (or the current user changed): every view is rebuilt. */
  setIdentity(identity: TimelineIdentity): void {
    this.senders = new Senders(identity);
    this.views.clear();
    this.topLevel = undefined;
  }

  /** The read mark kept on this device (it only moves forward). */
  markReadLocally(position: string): void {
    if (this.localReadMark === undefined || position > this.localReadMark) this.localReadMark = position;
  }

  has(name: string): boolean {
    return this.index.get(name) !== undefined;
  }

  /** Objects held, of every kind. */
  get size(): number {
    return this.index.entries.size;
  }

  /** Channel messages (thread replies excluded), oldest first. */
  messages(): MessageView[] {
    this.topLevel ??= this.index.ordered.filter((e) => e.threadRoot === undefined).map((e) => this.view(e));
    return this.topLevel;
  }

  /** Replies in the thread of `root` (hex name), oldest first. */
  thread(root: string): MessageView[] {
    return this.index
      .replies(root)
      .sort((a, b) => (a.position < b.position ? -1 : 1))
      .map((e) => this.view(e));
  }

  /** A message by its name or local id. */
  message(idOrName: string): MessageView | undefined {
    const entry = this.index.get(this.localNames.get(idOrName) ?? idOrName) ?? this.index.ordered.find((e) => e.localId === idOrName);
    return entry?.role === 'message' ? this.view(entry) : undefined;
  }

  /** Position of the newest message (replies included). */
  newestPosition(): string | undefined {
    return this.index.ordered.at(-1)?.position;
  }

  oldestPosition(): string | undefined {
    return this.index.ordered[0]?.position;
  }

  /** How far the current user has read: their furthest `read` object or the local mark. */
  readUpTo(): string | undefined {
    const published = this.publishedReadUpTo();
    const local = this.localReadMark;
    return published === undefined || (local !== undefined && local > published) ? local : published;
  }

  /** The furthest `read` object the current user has had stored. */
  publishedReadUpTo(): string | undefined {
    let mark: string | undefined;
    for (const hex of this.index.readObjects) {
      const e = this.index.get(hex)!;
      if (e.payload.type === 'read' && !e.delivery && this.senders.isMe(e.device) && (mark === undefined || e.payload.upTo > mark)) mark = e.payload.upTo;
    }
    return mark;
  }

  /** Messages (replies included) from others after the read mark, not deleted. */
  unread(): number {
    return this.unreadViews().length;
  }

  /** Unread messages whose latest version mentions the current user. */
  mentions(): number {
    return this.unreadViews().filter((v) => v.mentionsMe).length;
  }

  private unreadViews(): MessageView[] {
    const mark = this.readUpTo();
    const out: MessageView[] = [];
    const ordered = this.index.ordered;
    for (let i = ordered.length - 1; i >= 0; i--) {
      const e = ordered[i]!;
      if (mark !== undefined && e.position <= mark) break;
      const v = this.view(e);
      if (!v.mine && !v.deleted) out.push(v);
    }
    return out;
  }

  private insert(entry: TimelineEntry): void {
    this.index.insert(entry);
    this.touched(entry);
  }

  private remove(entry: TimelineEntry): void {
    this.index.remove(entry);
    this.touched(entry);
  }

  /** Forgets the views that depend on this entry: itself, its target, and their thread roots. */
  private touched(entry: TimelineEntry): void {
    this.topLevel = undefined;
    this.views.delete(entry.hex);
    const roots = [entry.threadRoot];
    if (entry.target !== undefined) {
      this.views.delete(entry.target);
      roots.push(this.index.get(entry.target)?.threadRoot);
    }
    for (const root of roots) if (root !== undefined) this.views.delete(root);
  }

  private view(e: TimelineEntry): MessageView {
    let view = this.views.get(e.hex);
    if (!view) {
      view = foldMessage(this.index, this.senders, this.channel, e);
      this.views.set(e.hex, view);
    }
    return view;
  }
}
