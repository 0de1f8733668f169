import { MichatError, encodeObject, groupLogName, objectHeader, type Prefix } from '@michat/protocol';
import { encodeLogEntry, type LogEntry } from './log-entry.ts';

/**
 * The log object for the Commit that moves `channel` from `epoch` to `epoch + 1`, before its
 * payload exists: `aad` (its envelope) is what the Commit is bound to, `publish` sends it
 * with the entry and says whether it took the epoch (false: another Commit did).
 */
export function logSlot(channel: Prefix, epoch: number, now: number, send: (bytes: Uint8Array) => Promise<unknown>) {
  const env = { name: groupLogName(channel, epoch + 1), created: Math.round(now), keyEpoch: epoch + 1 };
  return {
    aad: objectHeader(encodeObject(env, new Uint8Array(0))),
    async publish(entry: LogEntry): Promise<boolean> {
      try {
        await send(encodeObject(env, encodeLogEntry(entry)).bytes);
        return true;
      } catch (e) {
        if (e instanceof MichatError && e.kind === 'Conflict') return false;
        throw e;
      }
    },
  };
}
