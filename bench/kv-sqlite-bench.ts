/**
 * Throughput of SqliteKvStore.putIfAbsent under group commit, synchronous FULL vs NORMAL.
 * Not a test: prints numbers. Run: `npx node bench/kv-sqlite-bench.ts [operations]`.
 *
 * Workload: the shape of publishing one object: a ~300-byte value at a fresh key plus two
 * small index entries in the same atomic step, with IN_FLIGHT calls outstanding at all times.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteKvStore, type SqliteKvOptions } from '@michat/store-sqlite';

const IN_FLIGHT = 1_000;
const OPERATIONS = Number(process.argv[2] ?? 100_000);
const VALUE_BYTES = 300;

interface Result {
  synchronous: string;
  operationsPerSecond: number;
  meanLatencyMs: number;
  p99LatencyMs: number;
}

async function run(synchronous: NonNullable<SqliteKvOptions['synchronous']>): Promise<Result> {
  const dir = await mkdtemp(join(tmpdir(), 'michat-kv-bench-'));
  const store = SqliteKvStore.open(join(dir, 'kv.sqlite'), { synchronous });
  const value = new Uint8Array(VALUE_BYTES).map((_, index) => (index * 31) & 0xff);
  const latencies = new Float64Array(OPERATIONS);
  let next = 0;

  async function worker(): Promise<void> {
    while (next < OPERATIONS) {
      const sequence = next++;
      const id = sequence.toString(16).padStart(12, '0');
      const started = performance.now();
      const existing = await store.putIfAbsent(`obj/${id}`, value, [
        [`room/general/seq/${id}`, new TextEncoder().encode(id)],
        [`author/alice/${id}`, new Uint8Array(8)],
      ]);
      if (existing !== undefined) throw new Error(`key obj/${id} was already present`);
      latencies[sequence] = performance.now() - started;
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsedMs = performance.now() - started;
  await store.close();
  await rm(dir, { recursive: true, force: true });

  const sorted = latencies.sort();
  return {
    synchronous,
    operationsPerSecond: Math.round((OPERATIONS / elapsedMs) * 1000),
    meanLatencyMs: Number((sorted.reduce((sum, latency) => sum + latency, 0) / OPERATIONS).toFixed(2)),
    p99LatencyMs: Number((sorted[Math.floor(OPERATIONS * 0.99)] ?? 0).toFixed(2)),
  };
}

console.log(`putIfAbsent(key, ${VALUE_BYTES} B, 2 alsoPut entries), ${OPERATIONS} operations, ${IN_FLIGHT} in flight`);
const results: Result[] = [];
for (const synchronous of ['FULL', 'NORMAL'] as const) results.push(await run(synchronous));
console.table(results);
