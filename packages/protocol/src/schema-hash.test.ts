import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { positionToCursor } from './cursor.ts';
import { ClientFrame, NameBytes, ServerFrame } from './frames/index.ts';
import { toHex } from './hex.ts';
import * as name from './name.ts';
import { OBJECT_FORMAT, encodeObject } from './object.ts';
import { VersionVector } from './vector.ts';
import { PROTOCOL_VERSION } from './version.ts';

/**
 * The wire, hashed: every frame schema (as JSON Schema), the name layout, the object format
 * and reference encodings of an object, a vector digest and a cursor. Any change to what goes
 * over the wire changes this hash, and must come with a new PROTOCOL_VERSION.
 */
const RECORDED = { version: 1, hash: '98311d3ca1b4bcc1c21a823701e6433da2759c629a9c78383918680d59961717' };

const WIRE_CHANGED = 'the wire changed: bump PROTOCOL_VERSION, add a line to its history in version.ts, and record the new hash here';

/** Bytes fields have no JSON Schema form: mark them, and refuse any other unrepresentable type. */
function bytesMarker(ctx: { zodSchema: unknown }): Record<string, unknown> | 'throw' {
  if (ctx.zodSchema === NameBytes) return { 'x-michat': `bytes(${name.NAME_BYTES})` };
  const def = (ctx.zodSchema as { _zod?: { def?: { type?: string; fn?: (v: unknown) => unknown } } })._zod?.def;
  if (def?.type === 'custom' && def.fn?.(new Uint8Array(1)) === true && def.fn('x') !== true && def.fn([1]) !== true) return { 'x-michat': 'bytes' };
  return 'throw';
}

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { unrepresentable: bytesMarker as never });
}

/** JSON with object keys sorted, so the hash does not depend on property order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function wireDescription(): unknown {
  const n = name.makeName({ kind: 1, org: 0x12345, team: 0x6789a, channel: 0xbcdef0, device: 0x123456, seq: 0x789abcde });
  const root = name.makeName({ kind: 1, org: 0x12345, team: 0x6789a, channel: 0xbcdef0, device: 0x123456, seq: 1 });
  const obj = encodeObject({ name: n, created: 0x0102030405, keyEpoch: 7, expires: 0x0a0b0c0d0e0f, threadRoot: root }, Uint8Array.of(0xde, 0xad));
  const vec = new VersionVector();
  for (const [d, s] of [[1, 1], [1, 2], [1, 4], [2, 1]] as const) vec.add(d, s);
  return {
    client: jsonSchema(ClientFrame),
    server: jsonSchema(ServerFrame),
    name: {
      bytes: name.NAME_BYTES,
      levels: [name.KIND_BITS, name.ORG_BITS, name.TEAM_BITS, name.CHANNEL_BITS, name.DEVICE_BITS, name.NAME_BITS],
      max: [name.MAX_ORG, name.MAX_TEAM, name.MAX_CHANNEL, name.MAX_DEVICE, name.MAX_SEQ],
      kinds: name.KINDS,
      reference: toHex(n),
      text: name.nameToText(n),
    },
    object: { format: OBJECT_FORMAT, reference: toHex(obj.bytes) },
    vectorDigest: vec.digest(),
    cursor: positionToCursor({ created: 0x0102030405, device: 0x123456, seq: 0x789abcde }),
  };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return toHex(new Uint8Array(digest));
}

describe('schema hash', () => {
  it('marks bytes fields and would refuse any other unrepresentable type', () => {
    const s = JSON.stringify(jsonSchema(ClientFrame));
    expect(s).toContain('"x-michat":"bytes(16)"');
    expect(s).toContain('"x-michat":"bytes"');
    expect(() => jsonSchema(z.object({ f: z.custom<string>((v) => typeof v === 'string') }))).toThrow();
  });

  it('is stable', async () => {
    expect(await sha256Hex(canonical(wireDescription()))).toBe(await sha256Hex(canonical(wireDescription())));
  });

  it('matches the hash recorded for PROTOCOL_VERSION', async () => {
    const hash = await sha256Hex(canonical(wireDescription()));
    const got = { version: PROTOCOL_VERSION, hash };
    expect(got, `${WIRE_CHANGED}: { version: ${PROTOCOL_VERSION}, hash: '${hash}' }`).toEqual(RECORDED);
  });
});
