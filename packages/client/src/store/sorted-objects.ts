import type { ObjectRange, StoredObject } from './local-store.ts';

/**
 * One channel's objects in memory: by name (the set) and by position (display order).
 * Shared by the adapters that hold a channel in memory (MemoryStore, FileStore).
 */
export class SortedObjects {
  private readonly byName = new Map<string, StoredObject>();
  private readonly ordered: StoredObject[] = [];

  get size(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Adds unless the name is held; true when added. */
  add(obj: StoredObject): boolean {
    if (this.byName.has(obj.name)) return false;
    this.byName.set(obj.name, obj);
    this.ordered.splice(this.indexBefore(obj.position), 0, obj);
    return true;
  }

  /** The newest `limit` before `before`, oldest first. */
  range(range: ObjectRange = {}): StoredObject[] {
    const end = range.before === undefined ? this.ordered.length : this.indexBefore(range.before);
    const start = range.limit === undefined ? 0 : Math.max(0, end - range.limit);
    return this.ordered.slice(start, end);
  }

  all(): readonly StoredObject[] {
    return this.ordered;
  }

  private indexBefore(position: string): number {
    return firstAtOrAfter(this.ordered, position);
  }
}

/** Index of the first item positioned at or after `position` in items sorted by position. */
export function firstAtOrAfter(items: ReadonlyArray<{ position: string }>, position: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.position < position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
