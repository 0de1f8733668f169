/**
 * Where a client keeps the last sequence number it used per (device, channel). A name is
 * `channel/device/seq`, and objects are immutable: publishing a used name with other bytes
 * is rejected with Conflict. So `next` must make the number durable before returning it,
 * and a restarted client must continue after every number it ever handed out (a number
 * handed out but never published only leaves a hole in the device's stream).
 */
export interface SeqStore {
  /** The next unused sequence number (starting at 1), already persisted. */
  next(deviceId: number, channelKey: string): Promise<number>;
}

/**
 * Keeps numbers in memory: right for one process per device, e.g. a client that logs in
 * (and so gets a fresh device) each time it starts. Share one instance between clients of
 * the same device in a process. A client that resumes a saved session needs a store that
 * survives restarts.
 */
export class MemorySeqStore implements SeqStore {
  private readonly last = new Map<string, number>();

  async next(deviceId: number, channelKey: string): Promise<number> {
    const key = `${deviceId}/${channelKey}`;
    const seq = (this.last.get(key) ?? 0) + 1;
    this.last.set(key, seq);
    return seq;
  }

  /** The last number handed out (0 when none). */
  peek(deviceId: number, channelKey: string): number {
    return this.last.get(`${deviceId}/${channelKey}`) ?? 0;
  }
}
