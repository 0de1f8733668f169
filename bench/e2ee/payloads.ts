/**
 * The two payloads of the E2EE benchmark's server part, for the same short text message:
 *
 * - plaintext: the JSON michat clients send without E2EE, `{"type":"text","text":…}`, 100 B
 *   (the core benchmark's message), key epoch 0;
 * - sealed: those same 100 bytes sealed as the SDK's ChannelGroup.seal does
 *   (packages/client/src/e2ee/sealed-payload.ts: AES-256-GCM under an epoch key with the
 *   envelope as AAD, Ed25519 signature of the sending device inside), key epoch 2.
 *
 * Both are made before the round that sends them (sealing is the sender's work, not the
 * server's), so the load generator does the same per message in both runs. The epoch key is
 * 32 random bytes and the signature key pair a fresh one from the SDK (`newSignatureKeyPair`):
 * the server only sees bytes, and a sealed object's size does not depend on the key.
 */
import { encodeFrame, encodeObject, makeName, nameFields, objectHeader, type MichatObject } from '@michat/protocol';
import { newSignatureKeyPair, type SignatureKeyPair } from '../../packages/client/src/e2ee/mls.ts';
import { openPayload, sealPayload } from '../../packages/client/src/e2ee/sealed-payload.ts';
import type { MessagePayload, Stream } from '../lib/message-payload.ts';
import { PAYLOAD_BYTES, hasTail, messageText } from '../lib/message-tail.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Seals made at once while preparing (WebCrypto runs them on Node's thread pool). */
const SEAL_CONCURRENCY = 32;
/** The key epoch of the sealed objects: MLS epoch 1, + 1 (0 means plaintext). */
const KEY_EPOCH = 2;

/** The JSON payload of a text message, as `encodeTextPayload` writes it. */
export function textJson(seq: number): Uint8Array {
  return encoder.encode(JSON.stringify({ type: 'text', text: messageText(seq) }));
}

/** Prepared objects per stream, by seq; each is forgotten once its frame is made. */
class Prepared {
  private readonly byStream = new Map<string, Map<number, Uint8Array>>();

  private key(s: Stream): string {
    return `${Buffer.from(s.channel.subarray(0, 9)).toString('hex')}/${s.device}`;
  }

  set(s: Stream, seq: number, objectBytes: Uint8Array): void {
    const k = this.key(s);
    let m = this.byStream.get(k);
    if (!m) this.byStream.set(k, (m = new Map()));
    m.set(seq, objectBytes);
  }

  frame(s: Stream, seq: number, id: number): Uint8Array {
    const m = this.byStream.get(this.key(s));
    const obj = m?.get(seq);
    if (!obj) throw new Error(`message ${seq} of device ${s.device} was not prepared`);
    m!.delete(seq);
    return encodeFrame({ t: 'pub', id, obj });
  }
}

function envelope(s: Stream, seq: number, keyEpoch: number) {
  return { name: makeName({ ...nameFields(s.channel), device: s.device, seq }), created: Date.now(), keyEpoch };
}

function checkText(plain: Uint8Array, seq: number): void {
  const v = JSON.parse(decoder.decode(plain)) as { type?: string; text?: string };
  if (v.type !== 'text' || typeof v.text !== 'string' || !hasTail(v.text, seq)) throw new Error(`delivery ${seq} does not hold its text`);
}

/** Plain JSON text, 100 B, key epoch 0. */
export function plaintextPayload(): MessagePayload {
  const prepared = new Prepared();
  return {
    label: 'plaintext',
    payloadBytes: PAYLOAD_BYTES,
    find: 'name',
    async prepare(s, from, count) {
      for (let seq = from; seq < from + count; seq++) prepared.set(s, seq, encodeObject(envelope(s, seq, 0), textJson(seq)).bytes);
    },
    pubFrame: (s, seq, id) => prepared.frame(s, seq, id),
    async verify(obj, _s, seq) {
      if (obj.keyEpoch !== 0) throw new Error('a plaintext delivery has a key epoch');
      checkText(obj.payload, seq);
    },
  };
}

export interface SealedPayload extends MessagePayload {
  keys: SignatureKeyPair;
  epochKey: Uint8Array;
}

/** The same text sealed as the SDK seals it: 100 B of JSON become 193 B. */
export async function sealedPayload(): Promise<SealedPayload> {
  const keys = await newSignatureKeyPair();
  const epochKey = new Uint8Array(32);
  crypto.getRandomValues(epochKey);
  const prepared = new Prepared();
  const seal = async (s: Stream, seq: number): Promise<MichatObject> => {
    const env = envelope(s, seq, KEY_EPOCH);
    // As ChannelGroup.seal: the envelope with an empty payload is the authenticated data.
    const header = objectHeader(encodeObject(env, new Uint8Array(0)));
    return encodeObject(env, await sealPayload(epochKey, header, textJson(seq), keys.signKey));
  };
  const sample = await seal({ channel: makeName({ kind: 1, org: 1, team: 1, channel: 1, device: 0, seq: 0 }), device: 1 }, 1);
  return {
    label: 'sealed',
    payloadBytes: sample.payload.length,
    find: 'name',
    keys,
    epochKey,
    async prepare(s, from, count) {
      for (let at = from; at < from + count; at += SEAL_CONCURRENCY) {
        const seqs = Array.from({ length: Math.min(SEAL_CONCURRENCY, from + count - at) }, (_, i) => at + i);
        const objs = await Promise.all(seqs.map((seq) => seal(s, seq)));
        objs.forEach((o, i) => prepared.set(s, seqs[i]!, o.bytes));
      }
    },
    pubFrame: (s, seq, id) => prepared.frame(s, seq, id),
    async verify(obj, _s, seq) {
      if (obj.keyEpoch !== KEY_EPOCH) throw new Error(`a sealed delivery has key epoch ${obj.keyEpoch}`);
      // What reached the subscriber opens with the epoch key under its envelope and the sender's key.
      const opened = await openPayload(epochKey, objectHeader(obj), obj.payload, keys.publicKey);
      if (!opened.ok) throw new Error(`a sealed delivery does not open: ${opened.reason}`);
      checkText(opened.plain, seq);
    },
  };
}
