import sortedBtree from 'sorted-btree';
import { checkKey, checkPutIfAbsent, checkValue, type KvEntry, type KvListOptions, type KvStore } from '../ports/kv-store.ts';
import { checkListLimit, listKeyRange } from './key-range.ts';

// sorted-btree is CommonJS with `exports.default = BTree`. Node's ESM loader hands us the
// whole module.exports (the class sits at `.default`), while vitest and bundlers unwrap it
// to the class itself; accept both shapes.
const BTree = ((sortedBtree as { default?: unknown }).default ?? sortedBtree) as typeof sortedBtree.default;

/** Code-unit order, which for the printable-ASCII keys of the port is byte order. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * In-memory KvStore (tests, ephemeral deployments). Nothing survives the process.
 * Every operation runs synchronously at call time, so each one is atomic and
 * putIfAbsent/take have exactly one winner. Stored bytes are private: values are copied
 * on the way in and on the way out.
 */
export class MemoryKvStore implements KvStore {
  readonly #tree = new BTree<string, Uint8Array>(undefined, compareKeys);
  #closed = false;

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#run(() => {
      checkKey(key);
      return copyOf(this.#tree.get(key));
    });
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#run(() => {
      checkKey(key);
      checkValue(value);
      this.#tree.set(key, new Uint8Array(value));
    });
  }

  putIfAbsent(key: string, value: Uint8Array, alsoPut: readonly KvEntry[] = []): Promise<Uint8Array | undefined> {
    return this.#run(() => {
      // Validate everything before writing anything: the write is all or nothing.
      checkPutIfAbsent(key, value, alsoPut);
      const existing = this.#tree.get(key);
      if (existing !== undefined) return new Uint8Array(existing);
      this.#tree.set(key, new Uint8Array(value));
      // After `key`, in order: an alsoPut entry for the same key overrides the earlier one.
      for (const [extraKey, extraValue] of alsoPut) this.#tree.set(extraKey, new Uint8Array(extraValue));
      return undefined;
    });
  }

  delete(key: string): Promise<boolean> {
    return this.#run(() => {
      checkKey(key);
      return this.#tree.delete(key);
    });
  }

  take(key: string): Promise<Uint8Array | undefined> {
    return this.#run(() => {
      checkKey(key);
      const value = this.#tree.get(key);
      if (value !== undefined) this.#tree.delete(key);
      // Stored bytes are never handed out elsewhere, so the removed array can go as is.
      return value;
    });
  }

  list(prefix: string, options: KvListOptions = {}): Promise<KvEntry[]> {
    return this.#run(() => {
      checkListLimit(options.limit);
      const range = listKeyRange(prefix, options);
      const limit = options.limit ?? Infinity;
      if (range === undefined || limit === 0) return [];
      const entries: KvEntry[] = [];
      if (options.reverse) {
        // Start just below the exclusive upper bound and walk down to `low`.
        for (const [key, value] of this.#tree.entriesReversed(range.high, undefined, true)) {
          if (key < range.low || entries.length >= limit) break;
          entries.push([key, new Uint8Array(value)]);
        }
      } else {
        // Not getRange(low, high, false, limit): sorted-btree 2.1 returns limit + 1 entries there.
        for (const [key, value] of this.#tree.entries(range.low)) {
          if (key >= range.high || entries.length >= limit) break;
          entries.push([key, new Uint8Array(value)]);
        }
      }
      return entries;
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** Runs `operation` now; turns its result or thrown error into a promise. */
  #run<T>(operation: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('KV store is closed'));
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

function copyOf(value: Uint8Array | undefined): Uint8Array | undefined {
  return value === undefined ? undefined : new Uint8Array(value);
}
