import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { bytesEqual, type VectorEntries } from '@michat/protocol';
import { seqCounterKey, type LocalStore, type ObjectRange, type OutboxEntry, type StoredObject } from './local-store.ts';
import { withLock } from './mutex.ts';

interface ObjectRow extends StoredObject {
  channel: string;
}

interface MichatDb extends DBSchema {
  objects: { key: [string, string]; value: ObjectRow; indexes: { position: [string, string] } };
  vectors: { key: string; value: VectorEntries };
  seq: { key: string; value: number };
  outbox: { key: string; value: OutboxEntry; indexes: { order: [number, string] } };
  records: { key: string; value: unknown };
}

const DB_VERSION = 1;
const STORES = ['objects', 'vectors', 'seq', 'outbox', 'records'] as const;
/** Sorts after every string in IndexedDB's key order (arrays come after strings). */
const AFTER_STRINGS: [] = [];

/**
 * A LocalStore in IndexedDB (browsers; Node tests use fake-indexeddb). Every tab of an
 * origin opening the same database name shares it, and IndexedDB runs overlapping readwrite
 * transactions one at a time across tabs: a sequence number is read and raised in one
 * transaction, so two tabs never hand out the same name.
 */
export class IndexedDbStore implements LocalStore {
  readonly name: string;
  private readonly db: IDBPDatabase<MichatDb>;

  private constructor(name: string, db: IDBPDatabase<MichatDb>) {
    this.name = name;
    this.db = db;
  }

  /** Opens (creating when new) the database `name`, e.g. one per account: `michat-<org>-<user>`. */
  static async open(name = 'michat'): Promise<IndexedDbStore> {
    let store: IndexedDbStore | undefined;
    const db = await openDB<MichatDb>(name, DB_VERSION, {
      upgrade(db) {
        const objects = db.createObjectStore('objects', { keyPath: ['channel', 'name'] });
        objects.createIndex('position', ['channel', 'position']);
        db.createObjectStore('vectors');
        db.createObjectStore('seq');
        const outbox = db.createObjectStore('outbox', { keyPath: 'localId' });
        outbox.createIndex('order', ['queuedAt', 'name']);
        db.createObjectStore('records');
      },
      // A newer version opening in another tab (or "clear site data") must not wait on this one.
      blocking() {
        void store?.close();
      },
    });
    store = new IndexedDbStore(name, db);
    return store;
  }

  async addObjects(channel: string, objects: readonly StoredObject[]): Promise<void> {
    if (!objects.length) return;
    const tx = this.db.transaction('objects', 'readwrite');
    const held = await Promise.all(objects.map((o) => tx.store.getKey([channel, o.name])));
    const adds = objects.filter((_, i) => held[i] === undefined).map((o) => tx.store.put({ ...o, channel }));
    await Promise.all([...adds, tx.done]);
  }

  async objects(channel: string, range: ObjectRange = {}): Promise<StoredObject[]> {
    const keys = IDBKeyRange.bound([channel, ''], [channel, range.before ?? AFTER_STRINGS], false, true);
    const index = this.db.transaction('objects').store.index('position');
    let rows: ObjectRow[];
    if (range.limit === undefined) rows = await index.getAll(keys);
    else {
      rows = [];
      for (let cursor = await index.openCursor(keys, 'prev'); cursor && rows.length < range.limit; cursor = await cursor.continue()) rows.push(cursor.value);
      rows.reverse();
    }
    return rows.map(({ channel: _, ...obj }) => obj);
  }

  async channels(): Promise<string[]> {
    const out: string[] = [];
    const store = this.db.transaction('objects').store;
    // One step per channel: after reading one key, jump past every other name of its channel.
    for (let cursor = await store.openKeyCursor(); cursor; cursor = await cursor.continue([cursor.key[0], AFTER_STRINGS] as never)) {
      out.push(cursor.key[0]);
    }
    return out;
  }

  async vector(subscription: string): Promise<VectorEntries | undefined> {
    return this.db.get('vectors', subscription);
  }

  async setVector(subscription: string, entries: VectorEntries): Promise<void> {
    await this.db.put('vectors', entries, subscription);
  }

  async vectors(): Promise<Record<string, VectorEntries>> {
    const tx = this.db.transaction('vectors');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    return Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
  }

  async takeSeq(device: number, channel: string, floor = 0): Promise<number> {
    const key = seqCounterKey(device, channel);
    const tx = this.db.transaction('seq', 'readwrite');
    const seq = Math.max((await tx.store.get(key)) ?? 0, floor) + 1;
    await Promise.all([tx.store.put(seq, key), tx.done]);
    return seq;
  }

  async seqCounters(): Promise<Record<string, number>> {
    const tx = this.db.transaction('seq');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    return Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
  }

  async raiseSeqs(counters: Record<string, number>): Promise<void> {
    const tx = this.db.transaction('seq', 'readwrite');
    const writes = Object.entries(counters).map(async ([key, value]) => {
      const current = (await tx.store.get(key)) ?? 0;
      if (value > current) await tx.store.put(value, key);
    });
    await Promise.all([...writes, tx.done]);
  }

  async outbox(): Promise<OutboxEntry[]> {
    return this.db.getAllFromIndex('outbox', 'order');
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    await this.db.put('outbox', entry);
  }

  async swapOutbox(localId: string, expectedBytes: Uint8Array, next: OutboxEntry): Promise<OutboxEntry | undefined> {
    const tx = this.db.transaction('outbox', 'readwrite');
    const current = await tx.store.get(localId);
    let stored = current;
    if (current && bytesEqual(current.bytes, expectedBytes)) {
      await tx.store.put(next);
      stored = next;
    }
    await tx.done;
    return stored;
  }

  async removeOutbox(localId: string): Promise<void> {
    await this.db.delete('outbox', localId);
  }

  async getRecord<T>(key: string): Promise<T | undefined> {
    return (await this.db.get('records', key)) as T | undefined;
  }

  async setRecord(key: string, value: unknown): Promise<void> {
    await this.db.put('records', value, key);
  }

  async deleteRecord(key: string): Promise<void> {
    await this.db.delete('records', key);
  }

  async records(prefix: string): Promise<Array<[string, unknown]>> {
    const range = IDBKeyRange.bound(prefix, prefix + '\uffff');
    const tx = this.db.transaction('records');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
    return keys.map((k, i) => [k, values[i]]);
  }

  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return withLock(`michat-store:${this.name}:${name}`, fn);
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction(STORES, 'readwrite');
    await Promise.all([...STORES.map((s) => tx.objectStore(s).clear()), tx.done]);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
