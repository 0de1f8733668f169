import { fromHex, toHex } from './hex.ts';
import {
  CHANNEL_BITS,
  DEVICE_BITS,
  KIND_BITS,
  MAX_CHANNEL,
  MAX_DEVICE,
  MAX_ORG,
  MAX_SEQ,
  MAX_TEAM,
  NAME_BITS,
  NAME_BYTES,
  ORG_BITS,
  TEAM_BITS,
  kindFromText,
  kindToText,
  makeName,
  nameFields,
  type Name,
} from './name.ts';

/**
 * A prefix is `(name, bits)`: every name whose first `bits` bits equal those of `name`.
 * Canonical prefixes have every bit past `bits` zero; `makePrefix` ensures it.
 */
export interface Prefix {
  readonly name: Name;
  readonly bits: number;
}

/** Zeroes every bit of `name` past `bits` (a copy). */
export function maskName(name: Name, bits: number): Name {
  if (!Number.isInteger(bits) || bits < 0 || bits > NAME_BITS) throw new RangeError(`bits must be 0..128, got ${bits}`);
  const out = new Uint8Array(NAME_BYTES);
  const full = bits >>> 3;
  out.set(name.subarray(0, full));
  const rest = bits & 7;
  if (rest) out[full] = name[full]! & (0xff << (8 - rest));
  return out;
}

export function makePrefix(name: Name, bits: number): Prefix {
  return { name: maskName(name, bits), bits };
}

/** True when `name` lies under `prefix`. */
export function matchesPrefix(name: Name, prefix: Prefix): boolean {
  const full = prefix.bits >>> 3;
  const p = prefix.name;
  for (let i = 0; i < full; i++) if (name[i] !== p[i]) return false;
  const rest = prefix.bits & 7;
  if (!rest) return true;
  const mask = 0xff << (8 - rest);
  return ((name[full]! ^ p[full]!) & mask & 0xff) === 0;
}

/** True when `inner` is contained in `outer` (every name under inner is under outer). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  return inner.bits >= outer.bits && matchesPrefix(inner.name, outer);
}

/** True when the prefix is canonical (no bits set past its length). */
export function isCanonicalPrefix(p: Prefix): boolean {
  const m = maskName(p.name, p.bits);
  for (let i = 0; i < NAME_BYTES; i++) if (m[i] !== p.name[i]) return false;
  return true;
}

/** The channel prefix (72 bits) of a name. */
export function channelOf(name: Name): Prefix {
  return makePrefix(name, CHANNEL_BITS);
}

/** 18 hex digits naming a channel: the first 9 bytes of its names. Used as a storage key part. */
export function channelKey(nameOrPrefix: Name): string {
  return toHex(nameOrPrefix.subarray(0, CHANNEL_BITS / 8));
}

/** Channel prefix from its 18-hex-digit key. */
export function channelFromKey(key: string): Prefix | undefined {
  const b = key.length === 18 ? fromHex(key) : undefined;
  if (!b) return undefined;
  const n = new Uint8Array(NAME_BYTES);
  n.set(b);
  return { name: n, bits: CHANNEL_BITS };
}

/** Hex form of a prefix: `<32 hex digits>/<bits>`. */
export function prefixToHex(p: Prefix): string {
  return `${toHex(p.name)}/${p.bits}`;
}

const TEXT_LEVELS = [KIND_BITS, ORG_BITS, TEAM_BITS, CHANNEL_BITS, DEVICE_BITS, NAME_BITS];

/** Text form of a prefix cut at a field boundary (`m/1/2/3` is a channel). Others use hex. */
export function prefixToText(p: Prefix): string {
  const level = TEXT_LEVELS.indexOf(p.bits);
  if (level < 0 || !isCanonicalPrefix(p)) return prefixToHex(p);
  const f = nameFields(p.name);
  const parts = [kindToText(f.kind), f.org, f.team, f.channel, f.device, f.seq];
  return parts.slice(0, level + 1).join('/');
}

/**
 * Parses a prefix from any of its forms: text (`m/1/2/3`), hex with length
 * (`<32 hex>/<bits>`) or a bare 32-digit hex name (a full name, 128 bits).
 * Returns undefined when the text is not a prefix.
 */
export function parsePrefix(text: string): Prefix | undefined {
  const hexWithBits = /^([0-9a-fA-F]{32})(?:\/(\d{1,3}))?$/.exec(text);
  if (hexWithBits) {
    const bits = hexWithBits[2] === undefined ? NAME_BITS : Number(hexWithBits[2]);
    if (bits > NAME_BITS) return undefined;
    const name = fromHex(hexWithBits[1]!)!;
    const p = { name, bits };
    return isCanonicalPrefix(p) ? p : undefined;
  }
  const parts = text.split('/');
  if (parts.length < 1 || parts.length > 6) return undefined;
  const kind = kindFromText(parts[0]!);
  if (kind === undefined) return undefined;
  const nums = parts.slice(1).map((s) => (/^\d{1,10}$/.test(s) ? Number(s) : NaN));
  const maxes = [MAX_ORG, MAX_TEAM, MAX_CHANNEL, MAX_DEVICE, MAX_SEQ];
  for (let i = 0; i < nums.length; i++) {
    const v = nums[i]!;
    if (!Number.isInteger(v) || v > maxes[i]!) return undefined;
  }
  const [org = 0, team = 0, channel = 0, device = 0, seq = 0] = nums;
  const name = makeName({ kind, org, team, channel, device, seq });
  return { name, bits: TEXT_LEVELS[parts.length - 1]! };
}

/** Parses a full name from text or hex; undefined otherwise. */
export function parseName(text: string): Name | undefined {
  const p = parsePrefix(text);
  return p && p.bits === NAME_BITS ? p.name : undefined;
}
