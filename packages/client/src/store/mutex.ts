/**
 * Mutual exclusion for store users. Browsers (and Node 24) have Web Locks, which also hold
 * across the tabs of an origin; elsewhere an in-process queue per name does.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier call has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** One Mutex per name, made on first use. */
export class NamedMutexes {
  private readonly byName = new Map<string, Mutex>();

  run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    let mutex = this.byName.get(name);
    if (!mutex) {
      mutex = new Mutex();
      this.byName.set(name, mutex);
    }
    return mutex.run(fn);
  }

  /** Resolves once everything queued under every name so far has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.byName.values()].map((m) => m.run(async () => undefined)));
  }
}

const processLocks = new NamedMutexes();

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

function webLocks(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks && typeof nav.locks.request === 'function' ? nav.locks : undefined;
}

/** Runs `fn` holding the lock `name`: a Web Lock when there are any, else an in-process one. */
export function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = webLocks();
  if (locks) return locks.request(name, fn);
  return processLocks.run(name, fn);
}
