import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bytesEqual, type VectorEntries } from '@michat/protocol';
import { fromBase64, toBase64 } from '../store/base64.ts';
import { compareOutbox, seqCounterKey, type LocalStore, type ObjectRange, type OutboxEntry, type StoredObject } from '../store/local-store.ts';
import { Mutex, NamedMutexes } from '../store/mutex.ts';
import { SortedObjects } from '../store/sorted-objects.ts';
import { appendJsonLines, readJsonLines, writeFileAtomic } from './atomic-file.ts';
import { claimFolder, releaseFolder } from './process-lock.ts';

/** state.json: everything but the objects, rewritten atomically on each change. */
interface StateFile {
  format: 'michat-file-store';
  version: 1;
  vectors: Record<string, VectorEntries>;
  seq: Record<string, number>;
  outbox: Array<Omit<OutboxEntry, 'bytes'> & { bytes: string }>;
  records: Record<string, unknown>;
}

/** One line of objects/<channel>.jsonl. */
interface ObjectLine {
  name: string;
  position: string;
  bytes: string;
  localId?: string;
}

const CHANNEL_FILE = /^([0-9a-f]{18})\.jsonl$/;

/**
 * A LocalStore in a folder, for Node clients (bots, the CLI, tests):
 *
 *     <dir>/state.json               vectors, seq counters, outbox, records (atomic rewrite)
 *     <dir>/objects/<channel>.jsonl  one object per line, appended (a torn last line is cut)
 *     <dir>/lock                     pid of the process using it
 *
 * One process uses a folder at a time (a second one gets an error); inside a process, every
 * `open` of the same folder shares one instance, so client instances over it act like tabs.
 * Every change is durable (fsync) before its promise resolves.
 */
export class FileStore implements LocalStore {
  private static readonly opened = new Map<string, { store: FileStore; refs: number }>();
  readonly dir: string;
  private state: StateFile;
  private readonly channelObjects = new Map<string, Promise<SortedObjects>>();
  private readonly channelWrites = new NamedMutexes();
  private readonly locks = new NamedMutexes();
  private readonly stateWrites = new Mutex();
  private stateDirty = false;
  private closed = false;

  private constructor(dir: string, state: StateFile) {
    this.dir = dir;
    this.state = state;
  }

  /** Opens (creating when missing) the store in `dir`. */
  static async open(dir: string): Promise<FileStore> {
    const path = resolve(dir);
    const shared = FileStore.opened.get(path);
    if (shared) {
      shared.refs++;
      return shared.store;
    }
    await mkdir(join(path, 'objects'), { recursive: true, mode: 0o700 });
    await claimFolder(join(path, 'lock'));
    const store = new FileStore(path, await readState(join(path, 'state.json')));
    FileStore.opened.set(path, { store, refs: 1 });
    return store;
  }

  async addObjects(channel: string, objects: readonly StoredObject[]): Promise<void> {
    const held = await this.loadChannel(channel);
    const fresh = objects.filter((o) => held.add({ ...o }));
    if (!fresh.length) return;
    const lines: ObjectLine[] = fresh.map((o) => ({ name: o.name, position: o.position, bytes: toBase64(o.bytes), ...(o.localId !== undefined ? { localId: o.localId } : {}) }));
    await this.channelWrites.run(channel, () => appendJsonLines(this.channelPath(channel), lines));
  }

  async objects(channel: string, range?: ObjectRange): Promise<StoredObject[]> {
    return (await this.loadChannel(channel)).range(range).map((o) => ({ ...o }));
  }

  async channels(): Promise<string[]> {
    const files = await readdir(join(this.dir, 'objects'));
    const onDisk = files.map((f) => CHANNEL_FILE.exec(f)?.[1]).filter((k): k is string => k !== undefined);
    const keys = new Set(onDisk);
    for (const key of keys) if ((await this.loadChannel(key)).size === 0) keys.delete(key);
    return [...keys].sort();
  }

  async vector(subscription: string): Promise<VectorEntries | undefined> {
    const v = this.state.vectors[subscription];
    return v && structuredClone(v);
  }

  setVector(subscription: string, entries: VectorEntries): Promise<void> {
    this.state.vectors[subscription] = structuredClone(entries);
    return this.saveState();
  }

  async vectors(): Promise<Record<string, VectorEntries>> {
    return structuredClone(this.state.vectors);
  }

  async takeSeq(device: number, channel: string, floor = 0): Promise<number> {
    const key = seqCounterKey(device, channel);
    const seq = Math.max(this.state.seq[key] ?? 0, floor) + 1;
    this.state.seq[key] = seq;
    await this.saveState();
    return seq;
  }

  async seqCounters(): Promise<Record<string, number>> {
    return { ...this.state.seq };
  }

  raiseSeqs(counters: Record<string, number>): Promise<void> {
    for (const [key, value] of Object.entries(counters)) this.state.seq[key] = Math.max(this.state.seq[key] ?? 0, value);
    return this.saveState();
  }

  async outbox(): Promise<OutboxEntry[]> {
    return this.state.outbox.map(entryFromFile).sort(compareOutbox);
  }

  putOutbox(entry: OutboxEntry): Promise<void> {
    this.state.outbox = [...this.state.outbox.filter((e) => e.localId !== entry.localId), entryToFile(entry)];
    return this.saveState();
  }

  async swapOutbox(localId: string, expectedBytes: Uint8Array, next: OutboxEntry): Promise<OutboxEntry | undefined> {
    const current = this.state.outbox.find((e) => e.localId === localId);
    if (!current) return undefined;
    if (!bytesEqual(fromBase64(current.bytes), expectedBytes)) return entryFromFile(current);
    await this.putOutbox(next);
    return structuredClone(next);
  }

  removeOutbox(localId: string): Promise<void> {
    this.state.outbox = this.state.outbox.filter((e) => e.localId !== localId);
    return this.saveState();
  }

  async getRecord<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.state.records[key]) as T | undefined;
  }

  setRecord(key: string, value: unknown): Promise<void> {
    this.state.records[key] = structuredClone(value);
    return this.saveState();
  }

  deleteRecord(key: string): Promise<void> {
    delete this.state.records[key];
    return this.saveState();
  }

  async records(prefix: string): Promise<Array<[string, unknown]>> {
    return Object.keys(this.state.records)
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((k) => [k, structuredClone(this.state.records[k])]);
  }

  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  async clear(): Promise<void> {
    const channels = [...this.channelObjects.keys()];
    await Promise.all(channels.map((c) => this.channelWrites.run(c, async () => undefined)));
    this.channelObjects.clear();
    await rm(join(this.dir, 'objects'), { recursive: true, force: true });
    await mkdir(join(this.dir, 'objects'), { recursive: true, mode: 0o700 });
    this.state = emptyState();
    await this.saveState();
  }

  /** Releases this handle; the last one flushes and frees the folder for other processes. */
  async close(): Promise<void> {
    const shared = FileStore.opened.get(this.dir);
    if (!shared || shared.store !== this || --shared.refs > 0 || this.closed) return;
    this.closed = true;
    FileStore.opened.delete(this.dir);
    await this.stateWrites.run(async () => undefined);
    await this.channelWrites.settled();
    await releaseFolder(join(this.dir, 'lock'));
  }

  /**
   * Writes state.json once for any number of changes made meanwhile: each change marks the
   * state dirty and waits for the next write, which takes everything changed until it starts.
   */
  private saveState(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    this.stateDirty = true;
    return this.stateWrites.run(async () => {
      if (!this.stateDirty) return;
      this.stateDirty = false;
      await writeFileAtomic(join(this.dir, 'state.json'), JSON.stringify(this.state));
    });
  }

  private loadChannel(channel: string): Promise<SortedObjects> {
    if (!/^[0-9a-f]{18}$/.test(channel)) return Promise.reject(new TypeError(`not a channel key: ${channel}`));
    let loading = this.channelObjects.get(channel);
    if (!loading) {
      loading = this.channelWrites.run(channel, async () => {
        const held = new SortedObjects();
        for (const line of await readJsonLines(this.channelPath(channel))) {
          const obj = objectFromLine(line);
          if (obj) held.add(obj);
        }
        return held;
      });
      this.channelObjects.set(channel, loading);
    }
    return loading;
  }

  private channelPath(channel: string): string {
    return join(this.dir, 'objects', `${channel}.jsonl`);
  }
}

function emptyState(): StateFile {
  return { format: 'michat-file-store', version: 1, vectors: {}, seq: {}, outbox: [], records: {} };
}

async function readState(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw e;
  }
  const state = JSON.parse(text) as StateFile;
  if (state.format !== 'michat-file-store' || state.version !== 1) throw new Error(`${path} is not a michat file store (version 1)`);
  return { ...emptyState(), ...state };
}

function entryToFile(entry: OutboxEntry): StateFile['outbox'][number] {
  const { bytes, ...rest } = entry;
  return { ...structuredClone(rest), bytes: toBase64(bytes) };
}

function entryFromFile(entry: StateFile['outbox'][number]): OutboxEntry {
  return { ...structuredClone(entry), bytes: fromBase64(entry.bytes) };
}

function objectFromLine(line: unknown): StoredObject | undefined {
  const l = line as Partial<ObjectLine> | null;
  if (!l || typeof l.name !== 'string' || typeof l.position !== 'string' || typeof l.bytes !== 'string') return undefined;
  try {
    return { name: l.name, position: l.position, bytes: fromBase64(l.bytes), ...(typeof l.localId === 'string' ? { localId: l.localId } : {}) };
  } catch {
    return undefined;
  }
}
