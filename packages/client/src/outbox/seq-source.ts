import { MichatError, type VectorEntries } from '@michat/protocol';
import type { LocalStore } from '../store/local-store.ts';
import type { SeqStore } from '../seq-store.ts';

/** Where the outbox takes names from: a LocalStore's counters, or an app's SeqStore. */
export interface SeqSource {
  /** A number above every one handed out and above `floor`, persisted. */
  take(device: number, channel: string, floor: number): Promise<number>;
}

export function seqFromStore(store: LocalStore): SeqSource {
  return { take: (device, channel, floor) => store.takeSeq(device, channel, floor) };
}

/** Calls to a SeqStore spent looking for a number above a floor before giving up. */
const MAX_SKIPS = 64;

/**
 * A plain SeqStore knows no floor: numbers are drawn until one is above it (each drawn one
 * is a hole in the device's stream), and a store stuck below it yields Conflict.
 */
export function seqFromSeqStore(seqStore: SeqStore): SeqSource {
  return {
    async take(device, channel, floor) {
      for (let i = 0; i < MAX_SKIPS; i++) {
        const seq = await seqStore.next(device, channel);
        if (!Number.isInteger(seq) || seq < 1) throw new MichatError('Internal', `the sequence store returned ${seq}`);
        if (seq > floor) return seq;
      }
      throw new MichatError('Conflict', `the sequence store keeps handing out numbers already used (≤ ${floor})`);
    },
  };
}

/** The highest seq of `device` a vector holds (0 when none). */
export function highestSeq(entries: VectorEntries | undefined, device: number): number {
  const entry = entries?.find(([d]) => d === device);
  if (!entry) return 0;
  const [, contiguous, ranges] = entry;
  return Math.max(contiguous, ranges?.at(-1)?.[1] ?? 0);
}
