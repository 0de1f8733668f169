/**
 * Throughput of PostgresKvStore.putIfAbsent under group commit, beside the same work done
 * one transaction per operation on a connection pool (what a store without batching does).
 * Not a test: prints numbers. Run: `npx node bench/kv-postgres-bench.ts [operations]`.
 *
 * Starts its own PostgreSQL (fsync on) from the installed binaries, or uses MICHAT_PG_URL
 * (a database it may fill with a `kv` table).
 *
 * Workload: the shape of publishing one object, as in kv-sqlite-bench.ts: a ~300-byte value
 * at a fresh key plus two small index entries in the same atomic step, IN_FLIGHT calls
 * outstanding at all times.
 */
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { KvEntry } from '@michat/core';
import { PostgresKvStore } from '@michat/store-postgres';
import { startPostgres, type PostgresServer } from '@michat/testkit';

const IN_FLIGHT = 1_000;
const OPERATIONS = Number(process.argv[2] ?? 50_000);
const VALUE_BYTES = 300;
/** Connections of the one-transaction-per-operation baseline. */
const BASELINE_POOL_SIZE = 32;

type PutIfAbsent = (key: string, value: Uint8Array, alsoPut: readonly KvEntry[]) => Promise<Uint8Array | undefined>;

interface Result {
  store: string;
  operationsPerSecond: number;
  meanLatencyMs: number;
  p99LatencyMs: number;
}

async function measure(label: string, putIfAbsent: PutIfAbsent): Promise<Result> {
  const value = new Uint8Array(VALUE_BYTES).map((_, index) => (index * 31) & 0xff);
  const latencies = new Float64Array(OPERATIONS);
  const run = `${label.replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
  let next = 0;

  async function worker(): Promise<void> {
    while (next < OPERATIONS) {
      const sequence = next++;
      const id = sequence.toString(16).padStart(12, '0');
      const started = performance.now();
      const existing = await putIfAbsent(`obj/${run}/${id}`, value, [
        [`room/general/seq/${run}/${id}`, new TextEncoder().encode(id)],
        [`author/alice/${run}/${id}`, new Uint8Array(8)],
      ]);
      if (existing !== undefined) throw new Error(`key obj/${id} was already present`);
      latencies[sequence] = performance.now() - started;
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsedMs = performance.now() - started;
  const sorted = latencies.sort();
  return {
    store: label,
    operationsPerSecond: Math.round((OPERATIONS / elapsedMs) * 1000),
    meanLatencyMs: Number((sorted.reduce((sum, latency) => sum + latency, 0) / OPERATIONS).toFixed(2)),
    p99LatencyMs: Number((sorted[Math.floor(OPERATIONS * 0.99)] ?? 0).toFixed(2)),
  };
}

/** putIfAbsent as its own transaction per call, BASELINE_POOL_SIZE at a time. */
function unbatched(pool: pg.Pool): PutIfAbsent {
  return async (key, value, alsoPut) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query('INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING 1', [key, value]);
      if (inserted.rowCount === 0) {
        const { rows } = await client.query<{ value: Buffer }>('SELECT value FROM kv WHERE key = $1', [key]);
        await client.query('COMMIT');
        return rows[0]?.value;
      }
      for (const [extraKey, extraValue] of alsoPut) {
        await client.query('INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [extraKey, extraValue]);
      }
      await client.query('COMMIT');
      return undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
}

let server: PostgresServer | undefined;
// On the temp dir's disk, not the test harness's default memory-backed directory: the
// commits measured here wait for a real fsync.
const url = process.env.MICHAT_PG_URL ?? (await (server = await startPostgres({ baseDir: tmpdir() })).createDatabase());
try {
  console.log(`putIfAbsent(key, ${VALUE_BYTES} B, 2 alsoPut entries), ${OPERATIONS} operations, ${IN_FLIGHT} in flight, PostgreSQL fsync on`);
  const results: Result[] = [];

  const store = await PostgresKvStore.open({ url });
  results.push(await measure('PostgresKvStore (group commit)', (key, value, alsoPut) => store.putIfAbsent(key, value, alsoPut)));
  await store.close();

  const small = await PostgresKvStore.open({ url, maxBatchOperations: 30 }); // 10 calls of 3 slots each
  results.push(await measure('PostgresKvStore (batches of 10 putIfAbsent)', (key, value, alsoPut) => small.putIfAbsent(key, value, alsoPut)));
  await small.close();

  const pool = new pg.Pool({ connectionString: url, max: BASELINE_POOL_SIZE });
  pool.on('error', () => undefined); // idle connections ended by the server's shutdown below
  results.push(await measure(`one transaction per operation, pool of ${BASELINE_POOL_SIZE}`, unbatched(pool)));
  await pool.end();

  console.table(results);
} finally {
  await server?.stop();
}
