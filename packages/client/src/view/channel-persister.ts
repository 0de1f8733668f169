import { nameDevice, nameSeq, positionToCursor, toHex, type MichatObject, type VectorEntries } from '@michat/protocol';
import type { LocalStore, StoredObject } from '../store/local-store.ts';

export interface ChannelPersisterDeps {
  store: LocalStore;
  channel: string;
  /** Key the subscription's vector is stored under. */
  subscription: string;
  /** The subscription's vector right now (undefined while there is none). */
  vector(): VectorEntries | undefined;
  onError(error: Error): void;
}

/**
 * Writes a channel's received objects to the store in batches, and after each batch the
 * subscription's vector as it was when the batch was cut: the stored vector only ever claims
 * objects already stored, so a reload resumes exactly after what it holds.
 */
export class ChannelPersister {
  private readonly deps: ChannelPersisterDeps;
  private batch: StoredObject[] = [];
  private writes: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(deps: ChannelPersisterDeps) {
    this.deps = deps;
  }

  /** Keeps an object (from the subscription, or a history page). */
  add(obj: MichatObject): void {
    this.batch.push(toStored(obj));
    this.schedule();
  }

  /** Writes what is queued and then the vector (also when only the vector changed). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.writes = this.writes.then(() => this.flush());
  }

  /** Resolves once everything added so far is written (or has failed and waits for a retry). */
  async flushed(): Promise<void> {
    if (this.batch.length) this.schedule();
    await this.writes;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    // Cut the batch and read the vector at the same moment: every object the vector holds
    // is in this batch or an earlier one.
    const batch = this.batch;
    this.batch = [];
    const vector = this.deps.vector();
    const { store, channel, subscription } = this.deps;
    try {
      if (batch.length) await store.addObjects(channel, batch);
    } catch (e) {
      this.batch = [...batch, ...this.batch]; // kept for the next write; the vector waits for them
      this.deps.onError(e as Error);
      return;
    }
    try {
      if (vector) await store.setVector(subscription, vector);
    } catch (e) {
      this.deps.onError(e as Error);
    }
  }
}

export function toStored(obj: MichatObject, localId?: string): StoredObject {
  const position = positionToCursor({ created: obj.created, device: nameDevice(obj.name), seq: nameSeq(obj.name) });
  return { name: toHex(obj.name), position, bytes: obj.bytes, ...(localId !== undefined ? { localId } : {}) };
}
