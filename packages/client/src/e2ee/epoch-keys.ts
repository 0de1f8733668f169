import { fromBase64, toBase64 } from '../store/base64.ts';
import { epochKeyOf, epochOf, membersOf, type ClientState } from './mls.ts';

/** Most epoch keys one history bundle carries (the newest): about 50 bytes each. */
export const MAX_SHARED_EPOCHS = 600;

/** What a member shares with newcomers so they read the channel's history. */
export interface HistoryBundle {
  type: 'history-keys';
  /** Epoch → its key (base64). */
  epochs: Record<string, string>;
  /** Device → the signature key its leaf had (base64): to check who sent older messages. */
  leaves: Record<string, string>;
}

export interface StoredKeys {
  epochs: Record<string, string>;
  leaves: Record<string, string>;
}

/**
 * The keys a device holds for one channel: the key of every epoch it was in or was given,
 * and the signature key of every device it saw in the group, so any message sealed in a known
 * epoch opens in any order, any number of times, and its sender is checked.
 */
export class EpochKeys {
  private readonly epochs = new Map<number, Uint8Array>();
  private readonly leaves = new Map<number, Uint8Array>();

  static from(stored: StoredKeys | undefined): EpochKeys {
    const keys = new EpochKeys();
    for (const [e, k] of Object.entries(stored?.epochs ?? {})) keys.epochs.set(Number(e), fromBase64(k));
    for (const [d, k] of Object.entries(stored?.leaves ?? {})) keys.leaves.set(Number(d), fromBase64(k));
    return keys;
  }

  toStored(): StoredKeys {
    return { epochs: encodeMap(this.epochs), leaves: encodeMap(this.leaves) };
  }

  epochKey(epoch: number): Uint8Array | undefined {
    return this.epochs.get(epoch);
  }

  leafKey(device: number): Uint8Array | undefined {
    return this.leaves.get(device);
  }

  /** Takes the current epoch's key and its members' keys from the group state. */
  async note(state: ClientState): Promise<void> {
    this.epochs.set(epochOf(state), await epochKeyOf(state));
    for (const m of membersOf(state)) this.leaves.set(m.deviceId, m.signatureKey);
  }

  /** A bundle for newcomers: the newest epochs' keys and every device key seen. */
  bundle(): HistoryBundle {
    const newest = [...this.epochs.keys()].sort((a, b) => b - a).slice(0, MAX_SHARED_EPOCHS);
    return { type: 'history-keys', epochs: encodeMap(new Map(newest.map((e) => [e, this.epochs.get(e)!]))), leaves: encodeMap(this.leaves) };
  }

  /** Adds what a member shared (never replacing a key held): true when something was new. */
  absorb(bundle: HistoryBundle): boolean {
    let changed = false;
    for (const [e, k] of Object.entries(bundle.epochs)) changed = setNew(this.epochs, Number(e), k) || changed;
    for (const [d, k] of Object.entries(bundle.leaves)) changed = setNew(this.leaves, Number(d), k) || changed;
    return changed;
  }
}

/** A history bundle from an opened payload; undefined for anything else. */
export function readHistoryBundle(plain: Uint8Array): HistoryBundle | undefined {
  if (plain[0] !== 0x7b) return undefined; // '{'
  try {
    const v = JSON.parse(new TextDecoder().decode(plain)) as Partial<HistoryBundle>;
    if (v.type !== 'history-keys' || !isB64Record(v.epochs) || !isB64Record(v.leaves)) return undefined;
    return v as HistoryBundle;
  } catch {
    return undefined;
  }
}

function isB64Record(v: unknown): v is Record<string, string> {
  return !!v && typeof v === 'object' && Object.entries(v).every(([k, x]) => /^\d{1,10}$/.test(k) && typeof x === 'string' && x.length <= 64);
}

function setNew(map: Map<number, Uint8Array>, key: number, b64: string): boolean {
  if (map.has(key)) return false;
  try {
    map.set(key, fromBase64(b64));
    return true;
  } catch {
    return false;
  }
}

function encodeMap(map: Map<number, Uint8Array>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of map) out[String(k)] = toBase64(v);
  return out;
}
