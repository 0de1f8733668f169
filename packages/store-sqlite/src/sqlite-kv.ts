import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  checkKey,
  checkPutIfAbsent,
  checkListLimit,
  checkValue,
  listKeyRange,
  type KvEntry,
  type KvListOptions,
  type KvStore,
} from '@michat/core';

export interface SqliteKvOptions {
  /**
   * SQLite `synchronous` in WAL mode. FULL (default) fsyncs the WAL on every commit, so an
   * acknowledged write survives power loss; NORMAL survives a process crash but may lose
   * the last commits on power loss.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long to wait for another connection's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** A batch commits as soon as it holds this many operations (else on the next setImmediate). */
  maxBatchOperations?: number;
}

/** One open transaction and the operations waiting for its COMMIT. */
interface Batch {
  readonly settlers: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
  readonly timer: NodeJS.Immediate;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BATCH_OPERATIONS = 512;
const NO_LIMIT = -1; // SQLite reads a negative LIMIT as "no limit"

/**
 * KvStore on node:sqlite: one `kv` table, WAL journal, group commit.
 *
 * Every operation executes synchronously inside the currently open transaction (the first
 * one opens it with BEGIN IMMEDIATE), so it sees all earlier operations and putIfAbsent/take
 * decide their winner at call time. The transaction commits when it holds
 * `maxBatchOperations` operations or on the next setImmediate, and only then do the
 * promises of its operations settle, reads included: nobody observes a value that might
 * still be rolled back. If an operation throws or COMMIT fails, the whole batch is rolled
 * back and every promise in it rejects with that error; nothing of it is written.
 */
export class SqliteKvStore implements KvStore {
  readonly #db: DatabaseSync;
  readonly #maxBatchOperations: number;
  readonly #selectValue: StatementSync;
  readonly #upsert: StatementSync;
  readonly #insertIfAbsent: StatementSync;
  readonly #deleteKey: StatementSync;
  readonly #takeKey: StatementSync;
  readonly #listAscending: StatementSync;
  readonly #listDescending: StatementSync;
  #batch: Batch | undefined;
  #closed = false;

  /**
   * Opens (creating if needed, with parent directories) the store at `path`; ':memory:' works
   * too. Synchronous, like everything in node:sqlite; throws if the file cannot be opened.
   */
  static open(path: string, options: SqliteKvOptions = {}): SqliteKvStore {
    const synchronous = options.synchronous ?? 'FULL';
    // Checked before opening anything: the value is interpolated into a PRAGMA below.
    if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new RangeError(`Unknown synchronous mode ${String(synchronous)}`);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    try {
      return new SqliteKvStore(db, options);
    } catch (error) {
      db.close(); // e.g. the file is not a SQLite database
      throw error;
    }
  }

  private constructor(db: DatabaseSync, options: SqliteKvOptions) {
    this.#db = db;
    this.#maxBatchOperations = options.maxBatchOperations ?? DEFAULT_MAX_BATCH_OPERATIONS;
    const synchronous = options.synchronous ?? 'FULL';
    const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS));
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${synchronous}`);
    db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID');
    this.#selectValue = db.prepare('SELECT value FROM kv WHERE key = ?');
    this.#upsert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#insertIfAbsent = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
    this.#deleteKey = db.prepare('DELETE FROM kv WHERE key = ?');
    this.#takeKey = db.prepare('DELETE FROM kv WHERE key = ? RETURNING value');
    this.#listAscending = db.prepare('SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key ASC LIMIT ?');
    this.#listDescending = db.prepare('SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key DESC LIMIT ?');
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#validated(
      () => checkKey(key),
      () => this.#valueAt(key),
    );
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#validated(
      () => {
        checkKey(key);
        checkValue(value);
      },
      () => {
        this.#upsert.run(key, value);
      },
    );
  }

  putIfAbsent(key: string, value: Uint8Array, alsoPut: readonly KvEntry[] = []): Promise<Uint8Array | undefined> {
    return this.#validated(
      () => {
        checkPutIfAbsent(key, value, alsoPut);
      },
      () => {
        if (Number(this.#insertIfAbsent.run(key, value).changes) === 0) return this.#valueAt(key);
        // After `key`, in order: an alsoPut entry for the same key overrides the earlier one.
        // Atomic with the insert because a failure anywhere rolls back the whole batch.
        for (const [extraKey, extraValue] of alsoPut) this.#upsert.run(extraKey, extraValue);
        return undefined;
      },
    );
  }

  delete(key: string): Promise<boolean> {
    return this.#validated(
      () => checkKey(key),
      () => Number(this.#deleteKey.run(key).changes) > 0,
    );
  }

  take(key: string): Promise<Uint8Array | undefined> {
    return this.#validated(
      () => checkKey(key),
      () => {
        const row = this.#takeKey.get(key);
        return row === undefined ? undefined : asBytes(row.value);
      },
    );
  }

  list(prefix: string, options: KvListOptions = {}): Promise<KvEntry[]> {
    return this.#validated(
      () => checkListLimit(options.limit),
      () => {
        const range = listKeyRange(prefix, options);
        if (range === undefined || options.limit === 0) return [];
        const statement = options.reverse ? this.#listDescending : this.#listAscending;
        const rows = statement.all(range.low, range.high, options.limit ?? NO_LIMIT);
        return rows.map((row): KvEntry => [row.key as string, asBytes(row.value)]);
      },
    );
  }

  /** Commits the open batch (settling its promises), then closes the database. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    if (this.#batch !== undefined) this.#commit(this.#batch);
    this.#db.close();
    return Promise.resolve();
  }

  #valueAt(key: string): Uint8Array | undefined {
    const row = this.#selectValue.get(key);
    return row === undefined ? undefined : asBytes(row.value);
  }

  /** Runs `validate` (a rejection, outside any batch, if it throws), then `operation` in the batch. */
  #validated<T>(validate: () => void, operation: () => T): Promise<T> {
    try {
      validate();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#execute(operation);
  }

  /** Executes `operation` now inside the open batch; the promise settles with the batch's COMMIT. */
  #execute<T>(operation: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('KV store is closed'));
    let batch: Batch;
    try {
      batch = this.#batch ?? this.#begin();
    } catch (error) {
      return Promise.reject(error); // e.g. SQLITE_BUSY: another process holds the write lock
    }
    let result: T;
    try {
      result = operation();
    } catch (error) {
      // The statement may have written part of its effect; only a rollback of the whole
      // batch keeps every operation all-or-nothing.
      this.#rollback(batch, error);
      return Promise.reject(error);
    }
    const settled = new Promise<T>((resolve, reject) => {
      batch.settlers.push({ resolve: () => resolve(result), reject });
    });
    if (batch.settlers.length >= this.#maxBatchOperations) this.#commit(batch);
    return settled;
  }

  #begin(): Batch {
    this.#db.exec('BEGIN IMMEDIATE');
    const batch: Batch = { settlers: [], timer: setImmediate(() => this.#commit(batch)) };
    this.#batch = batch;
    return batch;
  }

  #commit(batch: Batch): void {
    if (this.#batch !== batch) return; // already committed or rolled back
    this.#batch = undefined;
    clearImmediate(batch.timer);
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#abandon(batch, error);
      return;
    }
    for (const settler of batch.settlers) settler.resolve();
  }

  #rollback(batch: Batch, error: unknown): void {
    this.#batch = undefined;
    clearImmediate(batch.timer);
    this.#abandon(batch, error);
  }

  /** Rolls back whatever of `batch` is still open and rejects all its operations. */
  #abandon(batch: Batch, error: unknown): void {
    // Some errors (I/O, SQLITE_FULL) make SQLite roll back on its own; then there is nothing left.
    try {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
    } catch {
      // The batch's operations fail with the original error either way.
    }
    for (const settler of batch.settlers) settler.reject(error);
  }
}

/** node:sqlite returns BLOB columns as fresh Uint8Arrays, so they are already private copies. */
function asBytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError('kv.value is not a BLOB');
  return value;
}
