/**
 * A history position: (created, device, seq), the display order. Its wire form is 26 hex
 * digits: created u48, device u24, seq u32, big-endian, so cursors compare as strings in
 * display order.
 */
export interface Position {
  created: number;
  device: number;
  seq: number;
}

export const CURSOR_PATTERN = /^[0-9a-f]{26}$/;

export function positionToCursor(p: Position): string {
  return p.created.toString(16).padStart(12, '0') + p.device.toString(16).padStart(6, '0') + p.seq.toString(16).padStart(8, '0');
}

export function cursorToPosition(cursor: string): Position | undefined {
  if (!CURSOR_PATTERN.test(cursor)) return undefined;
  return {
    created: parseInt(cursor.slice(0, 12), 16),
    device: parseInt(cursor.slice(12, 18), 16),
    seq: parseInt(cursor.slice(18, 26), 16),
  };
}
