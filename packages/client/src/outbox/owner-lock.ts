import { newLocalId } from './object-builder.ts';

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
  query(): Promise<{ held?: Array<{ name?: string }> }>;
}

const PREFIX = 'michat-outbox-owner:';

function webLocks(): LockManagerLike | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks && typeof locks.request === 'function' && typeof locks.query === 'function' ? locks : undefined;
}

/**
 * Tells tabs apart in a shared outbox: each outbox holds a Web Lock named after its id while
 * it runs, and stamps its entries with that id. A browser releases a closed tab's locks, so
 * another tab can tell an entry whose tab is gone (send it now) from one whose tab is still
 * sending it (leave it alone a while). Where there are no Web Locks nothing can be told.
 */
export class OwnerLock {
  readonly id = newLocalId();
  private release: (() => void) | undefined;
  private holding = false;

  /** Takes the lock (once); held until `drop`. */
  hold(): void {
    const locks = webLocks();
    if (this.holding || !locks) return;
    this.holding = true;
    locks.request(PREFIX + this.id, () => new Promise<void>((resolve) => (this.release = resolve))).catch(() => undefined);
  }

  drop(): void {
    this.release?.();
    this.release = undefined;
  }

  /** Ids of the outboxes running now (any tab); undefined where that cannot be known. */
  static async running(): Promise<Set<string> | undefined> {
    const locks = webLocks();
    if (!locks) return undefined;
    try {
      const { held = [] } = await locks.query();
      return new Set(held.map((l) => l.name ?? '').filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length)));
    } catch {
      return undefined;
    }
  }
}
