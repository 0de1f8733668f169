import { BATCH_BYTES, CATCHUP_BATCH, isExpiredAt, matchesPrefix, type Name, type Prefix, type MissingRange } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import { deviceStreamRange } from '../keys.ts';

/**
 * Reads the stored objects of `ranges` (intervals of device streams in `channel`) and sends
 * those under `prefix` and unexpired at `now`, in batches of at most CATCHUP_BATCH objects
 * or about BATCH_BYTES.
 */
export async function sendStored(kv: KvStore, channel: Name, ranges: readonly MissingRange[], prefix: Prefix, now: number, send: (objs: Uint8Array[]) => void): Promise<void> {
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  for (const r of ranges) {
    const { prefix: keyPrefix, start, end } = deviceStreamRange(channel, r.device, r.from, r.through);
    let from = start;
    for (;;) {
      const page = await kv.list(keyPrefix, { start: from, end, limit: CATCHUP_BATCH });
      for (const [, bytes] of page) {
        if (isExpiredAt(bytes, now) || !matchesPrefix(bytes.subarray(2, 18), prefix)) continue;
        batch.push(bytes);
        batchBytes += bytes.length;
        if (batch.length >= CATCHUP_BATCH || batchBytes >= BATCH_BYTES) {
          send(batch);
          batch = [];
          batchBytes = 0;
        }
      }
      if (page.length < CATCHUP_BATCH) break;
      from = `${page[page.length - 1]![0]} `;
    }
  }
  if (batch.length) send(batch);
}
