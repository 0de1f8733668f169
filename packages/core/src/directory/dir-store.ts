import { MichatError } from '@michat/protocol';
import type { KvEntry, KvStore } from '../ports/kv-store.ts';
import type { Clock } from '../ports/clock.ts';
import { Mutex } from '../util/mutex.ts';
import { fromUtf8, parseJsonBytes, utf8 } from '../util/json-bytes.ts';
import { dirKeys } from './records.ts';

const NO_BYTES = new Uint8Array(0);

/**
 * What every part of the directory shares: the KV store holding JSON records under `d/`,
 * the clock, and one write mutex. Every directory write runs inside `writes`, so checks
 * made there (capacity, bans, last owner) hold when the write lands, on this node.
 */
export class DirStore {
  readonly kv: KvStore;
  readonly clock: Clock;
  readonly writes = new Mutex();

  constructor(kv: KvStore, clock: Clock) {
    this.kv = kv;
    this.clock = clock;
  }

  async record<T>(key: string): Promise<T | undefined> {
    const v = await this.kv.get(key);
    return v ? parseJsonBytes<T>(v) : undefined;
  }

  /** The id a name key points at. */
  async idAt(key: string): Promise<number | undefined> {
    const v = await this.kv.get(key);
    return v ? Number(fromUtf8(v)) : undefined;
  }

  /** Records under `prefix` whose keys end in a decimal id, with that id. */
  async listById<T>(prefix: string): Promise<Array<{ id: number; value: T }>> {
    const rows = await this.kv.list(prefix);
    return rows.map(([key, value]) => ({ id: idOfKey(key), value: value.length ? parseJsonBytes<T>(value) : (undefined as T) }));
  }

  /**
   * The next free id of a kind (ids start at 1), claimed for the caller. Callers hold the
   * write mutex, so on one node ids come in order; nodes sharing a store may both read the
   * same counter, and the claim (putIfAbsent) gives each of them a different id. An id whose
   * record was then never written (a name conflict) stays unused.
   */
  async nextId(kind: string, max: number): Promise<number> {
    for (let id = ((await this.idAt(dirKeys.counter(kind))) ?? 0) + 1; id <= max; id++) {
      if (!(await this.kv.putIfAbsent(dirKeys.idClaim(kind, id), NO_BYTES))) return id;
    }
    throw new MichatError('Conflict', `no ${kind} ids left (limit ${max})`);
  }

  /**
   * Claims a unique key (name → id) and writes the rest and the kind's counter in the same
   * atomic step, or throws Conflict and writes nothing.
   */
  async claim(key: string, id: number, conflict: string, alsoPut: KvEntry[], counterKind: string, value: Uint8Array = utf8(String(id))): Promise<void> {
    const existing = await this.kv.putIfAbsent(key, value, [...alsoPut, [dirKeys.counter(counterKind), utf8(String(id))]]);
    if (existing) throw new MichatError('Conflict', conflict);
  }
}

/** The decimal id a directory key ends with (`d/cm/7/42` → 42). */
export function idOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf('/') + 1));
}
