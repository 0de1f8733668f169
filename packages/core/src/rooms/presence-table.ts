import type { Subscriber } from './subscriber.ts';

export type PresenceStatus = 'active' | 'away';

interface Entry {
  sub: Subscriber;
  status: PresenceStatus;
  expiresAt: number;
}

/** Who is present in one channel, per connection, each entry living until its TTL. */
export class PresenceTable {
  private readonly entries = new Map<number, Entry>();

  /** Records a heartbeat; returns true when this is news (new entry or status change). */
  beat(sub: Subscriber, status: PresenceStatus, expiresAt: number): boolean {
    const e = this.entries.get(sub.connectionId);
    this.entries.set(sub.connectionId, { sub, status, expiresAt });
    return !e || e.status !== status;
  }

  /** A connection's current status, if present. */
  status(connectionId: number): PresenceStatus | undefined {
    return this.entries.get(connectionId)?.status;
  }

  /** Removes a connection's entry; returns it when there was one. */
  remove(connectionId: number): Entry | undefined {
    const e = this.entries.get(connectionId);
    this.entries.delete(connectionId);
    return e;
  }

  /** Every connection present. */
  subscribers(): Subscriber[] {
    return [...this.entries.values()].map((e) => e.sub);
  }

  /** Removes and returns entries whose TTL ran out. */
  sweep(now: number): Entry[] {
    const gone: Entry[] = [];
    for (const [id, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.entries.delete(id);
        gone.push(e);
      }
    }
    return gone;
  }

  snapshot(): Array<{ user: string; device: number; status: PresenceStatus }> {
    return [...this.entries.values()].map((e) => ({ user: e.sub.username, device: e.sub.deviceId, status: e.status }));
  }

  get size(): number {
    return this.entries.size;
  }
}
