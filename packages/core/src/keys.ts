import { channelKey, makeName, nameFields, positionToCursor, toHex, type Name, type Position } from '@michat/protocol';

/**
 * The storage key layout (all keys printable ASCII, so string order is byte order):
 *
 *     o/<name 32 hex>                          → object bytes (ordered by name: device streams)
 *     t/<channel 18 hex>/<cursor 26 hex>       → empty (time index, display order)
 *     r/<channel 18 hex>/<root 32 hex>/<cursor> → empty (thread index)
 *     v/<channel 18 hex>/<device 6 hex>        → stream state (the intervals of seqs held)
 *     d/…                                      → directory records (see directory/)
 *     relay/…                                  → relay mode only (packages/relay)
 */
export const objectKey = (name: Name): string => `o/${toHex(name)}`;

/** Keys of a device's objects in a channel with seq in [from, through] (bounds for `list`). */
export function deviceStreamRange(channel: Name, device: number, from: number, through: number): { prefix: string; start: string; end: string } {
  const f = nameFields(channel);
  const at = (seq: number) => objectKey(makeName({ ...f, device, seq }));
  // Every object key has the same length, so "<= at(through)" is "< at(through) + ' '".
  return { prefix: `o/${channelKey(channel)}`, start: at(from), end: `${at(through)} ` };
}

export const timeIndexPrefix = (channel: Name): string => `t/${channelKey(channel)}/`;
export const timeIndexKey = (channel: Name, p: Position): string => `t/${channelKey(channel)}/${positionToCursor(p)}`;
export const threadIndexPrefix = (channel: Name, root: Name): string => `r/${channelKey(channel)}/${toHex(root)}/`;
export const threadIndexKey = (channel: Name, root: Name, p: Position): string => `${threadIndexPrefix(channel, root)}${positionToCursor(p)}`;
export const streamStatePrefix = (channel: Name): string => `v/${channelKey(channel)}/`;
export const streamStateKey = (channel: Name, device: number): string => `v/${channelKey(channel)}/${device.toString(16).padStart(6, '0')}`;

/** The name an index key points at: its channel plus the cursor's device and seq. */
export function nameFromIndex(channel: Name, cursor: string): Name {
  const device = parseInt(cursor.slice(12, 18), 16);
  const seq = parseInt(cursor.slice(18, 26), 16);
  return makeName({ ...nameFields(channel), device, seq });
}
