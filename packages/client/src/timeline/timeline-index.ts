import { firstAtOrAfter } from '../store/sorted-objects.ts';
import type { TimelineEntry } from './timeline-entry.ts';

/**
 * The indexes of a channel view: every entry by name, messages sorted by position, what
 * targets each message (edits, deletes, reactions), replies per thread root, read objects.
 */
export class TimelineIndex {
  readonly entries = new Map<string, TimelineEntry>();
  /** Displayable entries (`message` role), sorted by position. */
  readonly ordered: TimelineEntry[] = [];
  readonly byTarget = new Map<string, Set<string>>();
  readonly repliesByRoot = new Map<string, Set<string>>();
  readonly readObjects = new Set<string>();

  get(hex: string): TimelineEntry | undefined {
    return this.entries.get(hex);
  }

  /** Entries that target `hex` (edits, deletes, reactions). */
  related(hex: string): TimelineEntry[] {
    return [...(this.byTarget.get(hex) ?? [])].map((h) => this.entries.get(h)!);
  }

  replies(root: string): TimelineEntry[] {
    return [...(this.repliesByRoot.get(root) ?? [])].map((h) => this.entries.get(h)!);
  }

  insert(entry: TimelineEntry): void {
    this.entries.set(entry.hex, entry);
    if (entry.role === 'message') {
      this.ordered.splice(this.indexOf(entry.position), 0, entry);
      if (entry.threadRoot !== undefined) indexAdd(this.repliesByRoot, entry.threadRoot, entry.hex);
    } else if (entry.role === 'read') this.readObjects.add(entry.hex);
    else indexAdd(this.byTarget, entry.target!, entry.hex);
  }

  remove(entry: TimelineEntry): void {
    this.entries.delete(entry.hex);
    if (entry.role === 'message') {
      const i = this.indexOf(entry.position);
      if (this.ordered[i]?.hex === entry.hex) this.ordered.splice(i, 1);
      if (entry.threadRoot !== undefined) indexDelete(this.repliesByRoot, entry.threadRoot, entry.hex);
    } else if (entry.role === 'read') this.readObjects.delete(entry.hex);
    else indexDelete(this.byTarget, entry.target!, entry.hex);
  }

  /** Index of the first message positioned at or after `position`. */
  private indexOf(position: string): number {
    return firstAtOrAfter(this.ordered, position);
  }
}

function indexAdd(index: Map<string, Set<string>>, key: string, hex: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(hex);
}

function indexDelete(index: Map<string, Set<string>>, key: string, hex: string): void {
  const set = index.get(key);
  set?.delete(hex);
  if (set?.size === 0) index.delete(key);
}
