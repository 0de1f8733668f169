/** The operations kv_apply understands (see migrations/0002-kv-apply.ts). */
export type SlotOp = 'get' | 'put' | 'claim' | 'also' | 'delete' | 'take' | 'list' | 'list-reverse';

/** One step of a batch: one array index in every kv_apply argument. */
export interface Slot {
  readonly op: SlotOp;
  readonly key: string;
  readonly value?: Uint8Array;
  readonly high?: string;
  readonly limit?: number;
}

/** A row kv_apply returns. pg hands bytea over as a Buffer. */
export interface SlotRow {
  readonly slot: number;
  readonly entry_key: string | null;
  readonly entry_value: Uint8Array | null;
}

/** The five parallel arrays kv_apply takes, filled slot by slot. */
export class BatchParams {
  readonly ops: SlotOp[] = [];
  readonly keys: string[] = [];
  readonly vals: Array<Uint8Array | null> = [];
  readonly highs: Array<string | null> = [];
  readonly limits: Array<number | null> = [];

  /** Appends `slots`; returns the 1-based index of the first (kv_apply's `slot` for it). */
  add(slots: readonly Slot[]): number {
    const first = this.ops.length + 1;
    for (const slot of slots) {
      this.ops.push(slot.op);
      this.keys.push(slot.key);
      this.vals.push(slot.value ?? null);
      this.highs.push(slot.high ?? null);
      this.limits.push(slot.limit ?? null);
    }
    return first;
  }

  get size(): number {
    return this.ops.length;
  }

  values(): unknown[] {
    return [this.ops, this.keys, this.vals, this.highs, this.limits];
  }
}

/** kv_apply's rows grouped by slot, each group in the order the function produced it. */
export function rowsBySlot(rows: readonly SlotRow[]): Map<number, SlotRow[]> {
  const groups = new Map<number, SlotRow[]>();
  for (const row of rows) {
    const group = groups.get(row.slot);
    if (group === undefined) groups.set(row.slot, [row]);
    else group.push(row);
  }
  return groups;
}

/**
 * A private copy as a plain Uint8Array: pg's Buffers may share memory with other values,
 * and a caller's input may change after the call returns but before the batch runs.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
