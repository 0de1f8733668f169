import pg from 'pg';
import {
  checkKey,
  checkPutIfAbsent,
  checkListLimit,
  checkValue,
  KvUnavailableError,
  listKeyRange,
  type KvEntry,
  type KvListOptions,
  type KvStore,
} from '@michat/core';
import { BatchParams, copyBytes, rowsBySlot, type Slot, type SlotRow } from './kv-batch.ts';
import { applyMigrations } from './migrate.ts';

export interface PostgresKvOptions {
  /** `postgres://user:password@host:port/database` (anything node-postgres accepts). */
  url: string;
  /** Connections in the pool; batches use one at a time, the rest cover reconnects. */
  poolSize?: number;
  /** A connection attempt that takes longer fails: a down database rejects, never hangs. */
  connectionTimeoutMs?: number;
  /** A batch with no answer for this long fails (its outcome is then unknown). */
  queryTimeoutMs?: number;
  /** A batch holds at most this many operations (an alsoPut entry counts as one). */
  maxBatchOperations?: number;
  /** A batch holds at most about this many value bytes (one operation may exceed it alone). */
  maxBatchBytes?: number;
  /** Errors of idle pooled connections (the database restarted, the network broke). */
  onConnectionError?: (error: Error) => void;
}

/** An operation waiting for its batch: its slots, and what to do with its rows. */
interface PendingOperation {
  readonly slots: readonly Slot[];
  readonly bytes: number;
  readonly settle: (rows: readonly SlotRow[]) => void;
  readonly fail: (error: unknown) => void;
}

const DEFAULT_POOL_SIZE = 4;
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BATCH_OPERATIONS = 2_000;
const DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Deadlocks (40P01) and serialization failures (40001) roll the batch back whole: safe to rerun. */
const RETRYABLE_CODES = new Set(['40P01', '40001']);
const MAX_BATCH_ATTEMPTS = 5;
const RETRY_BASE_MS = 10;

const APPLY_STATEMENT = {
  // Named: parsed and planned once per connection.
  name: 'michat_kv_apply',
  text: 'SELECT slot, entry_key, entry_value FROM kv_apply($1::text[], $2::text[], $3::bytea[], $4::text[], $5::integer[])',
};

/**
 * KvStore on PostgreSQL: one `kv` table (see migrations/), group commit.
 *
 * Operations queue up; one batch at a time runs as a single `SELECT kv_apply(...)`
 * statement: the batch executes in call order inside one implicit transaction that
 * commits before the server answers, so every promise settles only after COMMIT, and an
 * operation sees everything called before it. While a batch runs, the next one fills.
 * A failed batch rejects all of its operations and writes none of them; deadlocks and
 * serialization failures with other nodes are retried, since those roll back whole.
 *
 * Atomic across nodes: putIfAbsent is INSERT … ON CONFLICT DO NOTHING (a concurrent insert
 * of the same key blocks until the other transaction ends), take is DELETE … RETURNING.
 *
 * A connection error rejects the affected batch with KvUnavailableError (its outcome may be
 * unknown if the database vanished during COMMIT); the pool reconnects by itself for the next.
 */
export class PostgresKvStore implements KvStore {
  readonly #pool: pg.Pool;
  readonly #maxBatchOperations: number;
  readonly #maxBatchBytes: number;
  readonly #queue: PendingOperation[] = [];
  /** Whether a drain loop is scheduled or running; it empties the queue batch by batch. */
  #draining = false;
  #drained: Promise<void> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Connects, applies pending migrations and returns the store; rejects if the database is unreachable. */
  static async open(options: PostgresKvOptions): Promise<PostgresKvStore> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      query_timeout: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    // Without a listener, an idle connection's error (e.g. the server restarting) would be
    // an unhandled 'error' event and end the process. The pool drops that connection itself.
    pool.on('error', (error) => options.onConnectionError?.(error));
    try {
      await applyMigrations(pool);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresKvStore(pool, options);
  }

  private constructor(pool: pg.Pool, options: PostgresKvOptions) {
    this.#pool = pool;
    this.#maxBatchOperations = Math.max(1, options.maxBatchOperations ?? DEFAULT_MAX_BATCH_OPERATIONS);
    this.#maxBatchBytes = Math.max(1, options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES);
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#submit(
      () => checkKey(key),
      () => [{ op: 'get', key }],
      (rows) => valueOf(rows[0]),
    );
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#submit(
      () => {
        checkKey(key);
        checkValue(value);
      },
      () => [{ op: 'put', key, value: copyBytes(value) }],
      () => undefined,
    );
  }

  putIfAbsent(key: string, value: Uint8Array, alsoPut: readonly KvEntry[] = []): Promise<Uint8Array | undefined> {
    return this.#submit(
      () => {
        checkPutIfAbsent(key, value, alsoPut);
      },
      () => [
        { op: 'claim', key, value: copyBytes(value) },
        // In order: an alsoPut entry for the same key as an earlier one overrides it.
        ...alsoPut.map(([extraKey, extraValue]): Slot => ({ op: 'also', key: extraKey, value: copyBytes(extraValue) })),
      ],
      (rows) => valueOf(rows[0]),
    );
  }

  delete(key: string): Promise<boolean> {
    return this.#submit(
      () => checkKey(key),
      () => [{ op: 'delete', key }],
      (rows) => rows.length > 0,
    );
  }

  take(key: string): Promise<Uint8Array | undefined> {
    return this.#submit(
      () => checkKey(key),
      () => [{ op: 'take', key }],
      (rows) => valueOf(rows[0]),
    );
  }

  list(prefix: string, options: KvListOptions = {}): Promise<KvEntry[]> {
    try {
      checkListLimit(options.limit);
    } catch (error) {
      return Promise.reject(error);
    }
    const range = listKeyRange(prefix, options);
    if (range === undefined || options.limit === 0) {
      // Nothing can match; still ordered behind earlier operations and refused once closed.
      return this.#submit(
        () => undefined,
        () => [],
        () => [],
      );
    }
    return this.#submit(
      () => undefined,
      () => [{ op: options.reverse ? 'list-reverse' : 'list', key: range.low, high: range.high, ...(options.limit === undefined ? {} : { limit: options.limit }) }],
      (rows) => rows.map((row): KvEntry => [row.entry_key ?? '', copyBytes(row.entry_value ?? new Uint8Array(0))]),
    );
  }

  /** Runs every operation already called, then closes the pool. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#drained;
      await this.#pool.end();
    })();
    return this.#closing;
  }

  /**
   * Validates synchronously (a rejection, never a throw), then queues the operation's
   * slots; `result` turns the rows kv_apply returned for its first slot into the answer.
   */
  #submit<T>(validate: () => void, slots: () => Slot[], result: (rows: readonly SlotRow[]) => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('KV store is closed'));
    let operationSlots: Slot[];
    try {
      validate();
      operationSlots = slots();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        slots: operationSlots,
        bytes: operationSlots.reduce((sum, slot) => sum + slot.key.length + (slot.value?.length ?? 0), 0),
        settle: (rows) => resolve(result(rows)),
        fail: reject,
      });
      if (!this.#draining) {
        this.#draining = true;
        // One turn of the event loop lets the callers of this tick join the first batch.
        this.#drained = new Promise<void>((next) => setImmediate(next)).then(() => this.#drain());
      }
    });
  }

  /** Runs batches until the queue is empty; later arrivals join whichever batch is next. */
  async #drain(): Promise<void> {
    for (;;) {
      const batch = this.#takeBatch();
      if (batch.length === 0) {
        this.#draining = false; // decided in the same tick as the empty check: no lost wakeups
        return;
      }
      await this.#run(batch);
    }
  }

  #takeBatch(): PendingOperation[] {
    let slots = 0;
    let bytes = 0;
    let count = 0;
    for (const operation of this.#queue) {
      if (count > 0 && (slots + operation.slots.length > this.#maxBatchOperations || bytes + operation.bytes > this.#maxBatchBytes)) break;
      slots += operation.slots.length;
      bytes += operation.bytes;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  /** Executes one batch and settles all of its operations; never throws. */
  async #run(batch: PendingOperation[]): Promise<void> {
    const params = new BatchParams();
    const firstSlots = batch.map((operation) => params.add(operation.slots));
    let rows: SlotRow[];
    try {
      rows = params.size === 0 ? [] : await this.#apply(params);
    } catch (error) {
      // Whatever stopped the batch (connection refused or lost, timeout, shutdown), nothing
      // in it can be answered: callers see the store as unavailable and retry.
      const failure = new KvUnavailableError(`PostgreSQL batch failed: ${(error as Error).message}`, { cause: error });
      for (const operation of batch) operation.fail(failure);
      return;
    }
    const groups = rowsBySlot(rows);
    batch.forEach((operation, index) => {
      try {
        operation.settle(groups.get(firstSlots[index]!) ?? []);
      } catch (error) {
        operation.fail(error);
      }
    });
  }

  async #apply(params: BatchParams): Promise<SlotRow[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.#pool.query<SlotRow>({ ...APPLY_STATEMENT, values: params.values() });
        return result.rows;
      } catch (error) {
        if (attempt >= MAX_BATCH_ATTEMPTS || !RETRYABLE_CODES.has((error as { code?: unknown }).code as string)) throw error;
        // Jittered backoff, so that two nodes that deadlocked do not collide again in step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * RETRY_BASE_MS * 2 ** attempt));
      }
    }
  }
}

function valueOf(row: SlotRow | undefined): Uint8Array | undefined {
  return row?.entry_value == null ? undefined : copyBytes(row.entry_value);
}
