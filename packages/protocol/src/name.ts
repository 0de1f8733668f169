/**
 * 128-bit object names, most significant bit first:
 *
 *     kind 8 | org 20 | team 20 | channel 24 | device 24 | seq 32
 *
 * A name is a 16-byte Uint8Array. Byte-aligned boundaries: kind ends at bit 8, team at 48
 * (6 bytes), channel at 72 (9 bytes), device at 96 (12 bytes). The org/team boundary (28) is
 * not byte-aligned, so prefixes are compared with a bit mask.
 */
export const NAME_BYTES = 16;
export const NAME_BITS = 128;

export const KIND_BITS = 8;
export const ORG_BITS = 28; // prefix length that ends after org
export const TEAM_BITS = 48;
export const CHANNEL_BITS = 72;
export const DEVICE_BITS = 96;

export const MAX_ORG = 0xfffff;
export const MAX_TEAM = 0xfffff;
export const MAX_CHANNEL = 0xffffff;
export const MAX_DEVICE = 0xffffff;
export const MAX_SEQ = 0xffffffff;

/** Kinds of named objects. Text forms use the letter. */
export const KINDS = { message: 1 } as const;
const KIND_LETTER: Record<number, string> = { 1: 'm' };
const LETTER_KIND: Record<string, number> = { m: 1 };

export type Name = Uint8Array;

export interface NameFields {
  kind: number;
  org: number;
  team: number;
  channel: number;
  device: number;
  seq: number;
}

function checkField(label: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${label} must be an integer in 0..${max}, got ${value}`);
  }
}

/** Packs fields into a name. Throws RangeError on a field out of range. */
export function makeName(f: NameFields): Name {
  checkField('kind', f.kind, 0xff);
  checkField('org', f.org, MAX_ORG);
  checkField('team', f.team, MAX_TEAM);
  checkField('channel', f.channel, MAX_CHANNEL);
  checkField('device', f.device, MAX_DEVICE);
  checkField('seq', f.seq, MAX_SEQ);
  const n = new Uint8Array(NAME_BYTES);
  n[0] = f.kind;
  n[1] = f.org >>> 12;
  n[2] = (f.org >>> 4) & 0xff;
  n[3] = ((f.org & 0xf) << 4) | (f.team >>> 16);
  n[4] = (f.team >>> 8) & 0xff;
  n[5] = f.team & 0xff;
  n[6] = f.channel >>> 16;
  n[7] = (f.channel >>> 8) & 0xff;
  n[8] = f.channel & 0xff;
  n[9] = f.device >>> 16;
  n[10] = (f.device >>> 8) & 0xff;
  n[11] = f.device & 0xff;
  new DataView(n.buffer).setUint32(12, f.seq);
  return n;
}

/** Unpacks a name's fields. */
export function nameFields(n: Name): NameFields {
  const b = (i: number) => n[i]!;
  return {
    kind: b(0),
    org: (b(1) << 12) | (b(2) << 4) | (b(3) >>> 4),
    team: ((b(3) & 0xf) << 16) | (b(4) << 8) | b(5),
    channel: (b(6) << 16) | (b(7) << 8) | b(8),
    device: nameDevice(n),
    seq: nameSeq(n),
  };
}

/** The device field alone (hot path). */
export function nameDevice(n: Name): number {
  return (n[9]! << 16) | (n[10]! << 8) | n[11]!;
}

/** The seq field alone (hot path). */
export function nameSeq(n: Name): number {
  return ((n[12]! << 24) >>> 0) + (n[13]! << 16) + (n[14]! << 8) + n[15]!;
}

/** True when `n` is 16 bytes. */
export function isName(n: unknown): n is Name {
  return n instanceof Uint8Array && n.length === NAME_BYTES;
}

/** Text form: `m/<org>/<team>/<channel>/<device>/<seq>` (decimal fields). */
export function nameToText(n: Name): string {
  const f = nameFields(n);
  const k = KIND_LETTER[f.kind] ?? `k${f.kind}`;
  return `${k}/${f.org}/${f.team}/${f.channel}/${f.device}/${f.seq}`;
}

/** Kind number from its text form (`m`, or `k<n>`). */
export function kindFromText(s: string): number | undefined {
  const k = Object.hasOwn(LETTER_KIND, s) ? LETTER_KIND[s] : undefined; // not 'toString' & co.
  if (k !== undefined) return k;
  const m = /^k(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const v = Number(m[1]);
  return v <= 0xff ? v : undefined;
}

export function kindToText(kind: number): string {
  return KIND_LETTER[kind] ?? `k${kind}`;
}
