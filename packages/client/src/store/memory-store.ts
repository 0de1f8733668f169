import { bytesEqual, type VectorEntries } from '@michat/protocol';
import { compareOutbox, seqCounterKey, type LocalStore, type ObjectRange, type OutboxEntry, type StoredObject } from './local-store.ts';
import { NamedMutexes } from './mutex.ts';
import { SortedObjects } from './sorted-objects.ts';

/**
 * A LocalStore in memory: gone when the process ends. The default of a client without a
 * store, and the one tests use. Clients sharing one instance behave like tabs sharing an
 * IndexedDB database. Values are copied in and out, as a real store would.
 */
export class MemoryStore implements LocalStore {
  private readonly channelObjects = new Map<string, SortedObjects>();
  private readonly vectorsByKey = new Map<string, VectorEntries>();
  private readonly counters = new Map<string, number>();
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly recordsByKey = new Map<string, unknown>();
  private readonly locks = new NamedMutexes();

  async addObjects(channel: string, objects: readonly StoredObject[]): Promise<void> {
    let held = this.channelObjects.get(channel);
    if (!held) {
      held = new SortedObjects();
      this.channelObjects.set(channel, held);
    }
    for (const obj of objects) held.add({ ...obj });
  }

  async objects(channel: string, range?: ObjectRange): Promise<StoredObject[]> {
    return (this.channelObjects.get(channel)?.range(range) ?? []).map((o) => ({ ...o }));
  }

  async channels(): Promise<string[]> {
    return [...this.channelObjects.keys()].filter((k) => this.channelObjects.get(k)!.size > 0).sort();
  }

  async vector(subscription: string): Promise<VectorEntries | undefined> {
    const v = this.vectorsByKey.get(subscription);
    return v && structuredClone(v);
  }

  async setVector(subscription: string, entries: VectorEntries): Promise<void> {
    this.vectorsByKey.set(subscription, structuredClone(entries));
  }

  async vectors(): Promise<Record<string, VectorEntries>> {
    return structuredClone(Object.fromEntries(this.vectorsByKey));
  }

  async takeSeq(device: number, channel: string, floor = 0): Promise<number> {
    const key = seqCounterKey(device, channel);
    const seq = Math.max(this.counters.get(key) ?? 0, floor) + 1;
    this.counters.set(key, seq);
    return seq;
  }

  async seqCounters(): Promise<Record<string, number>> {
    return Object.fromEntries(this.counters);
  }

  async raiseSeqs(counters: Record<string, number>): Promise<void> {
    for (const [key, value] of Object.entries(counters)) this.counters.set(key, Math.max(this.counters.get(key) ?? 0, value));
  }

  async outbox(): Promise<OutboxEntry[]> {
    return [...this.entries.values()].map((e) => structuredClone(e)).sort(compareOutbox);
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    this.entries.set(entry.localId, structuredClone(entry));
  }

  async swapOutbox(localId: string, expectedBytes: Uint8Array, next: OutboxEntry): Promise<OutboxEntry | undefined> {
    const current = this.entries.get(localId);
    if (current && bytesEqual(current.bytes, expectedBytes)) this.entries.set(localId, structuredClone(next));
    const stored = this.entries.get(localId);
    return stored && structuredClone(stored);
  }

  async removeOutbox(localId: string): Promise<void> {
    this.entries.delete(localId);
  }

  async getRecord<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.recordsByKey.get(key)) as T | undefined;
  }

  async setRecord(key: string, value: unknown): Promise<void> {
    this.recordsByKey.set(key, structuredClone(value));
  }

  async deleteRecord(key: string): Promise<void> {
    this.recordsByKey.delete(key);
  }

  async records(prefix: string): Promise<Array<[string, unknown]>> {
    return [...this.recordsByKey.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, structuredClone(v)]);
  }

  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  async clear(): Promise<void> {
    this.channelObjects.clear();
    this.vectorsByKey.clear();
    this.counters.clear();
    this.entries.clear();
    this.recordsByKey.clear();
  }

  async close(): Promise<void> {
    // Nothing to release: the data lives as long as the instance.
  }
}
