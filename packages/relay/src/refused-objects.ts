import type { KvStore } from '@michat/core';

const REFUSED = 'relay/refused/';

/**
 * Objects the parent refused for good (Conflict, Forbidden…): they stay in the relay's cache
 * for its local readers, but are never offered upstream again. Kept in the store, so a
 * restart does not retry them; an operator reads the reasons under `relay/refused/`.
 */
export class RefusedObjects {
  private readonly kv: KvStore;
  private readonly names = new Set<string>();

  private constructor(kv: KvStore) {
    this.kv = kv;
  }

  static async load(kv: KvStore): Promise<RefusedObjects> {
    const refused = new RefusedObjects(kv);
    for (const [key] of await kv.list(REFUSED)) refused.names.add(key.slice(REFUSED.length));
    return refused;
  }

  has(hexName: string): boolean {
    return this.names.has(hexName);
  }

  async add(hexName: string, reason: string): Promise<void> {
    this.names.add(hexName);
    await this.kv.put(`${REFUSED}${hexName}`, new TextEncoder().encode(reason));
  }

  get size(): number {
    return this.names.size;
  }
}
