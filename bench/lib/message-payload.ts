/**
 * What the benchmark publishers put in each message object, and how subscribers recognize a
 * delivery. The core benchmark sends the ~100-byte JSON text of message-tail.ts, stamped when
 * sent; the E2EE benchmark (bench/e2ee-bench.ts) sends the same text plain or sealed, both made
 * before the round that sends them (sealing is the client's work, not the server's).
 */
import { makeName, nameFields, type MichatObject } from '@michat/protocol';
import { PAYLOAD_BYTES, hasTail, messageText } from './message-tail.ts';
import { pubFrame } from './michat-bootstrap.ts';

/** One device's stream in one channel: the names a publisher writes. */
export interface Stream {
  /** The channel's name prefix (72 bits, as bytes). */
  channel: Uint8Array;
  device: number;
}

export interface MessagePayload {
  label: string;
  /** Bytes of each message object's payload. */
  payloadBytes: number;
  /**
   * Makes the objects of messages `from` … `from + count − 1` of `stream` before they are
   * sent, outside any measured interval. Without it, `pubFrame` makes them as they are sent.
   */
  prepare?(stream: Stream, from: number, count: number): Promise<void>;
  /** The `pub` frame of message `seq` of `stream`, with request id `id` (once per message: a prepared one is then forgotten). */
  pubFrame(stream: Stream, seq: number, id: number): Uint8Array;
  /**
   * How a subscriber finds which message a frame holds, without decoding it. `tail`: the text
   * ends with its number and send time (message-tail.ts). `name`: the number is the seq of the
   * object's name, read at a fixed distance from the frame's end (every object has the same
   * size); the load generator keeps the send time.
   */
  find: 'tail' | 'name';
  /** Throws unless `obj` (a delivery, fully decoded) is message `seq` as it was sent. */
  verify(obj: MichatObject, stream: Stream, seq: number): Promise<void>;
}

/** The core benchmark's message: ~100 B of JSON text, made and stamped as it is sent. */
export const TEXT_TAIL: MessagePayload = {
  label: `JSON text, ${PAYLOAD_BYTES} B`,
  payloadBytes: PAYLOAD_BYTES,
  find: 'tail',
  pubFrame: (s, seq, id) => pubFrame(s.channel, s.device, seq, id, messageText(seq)),
  async verify(obj, _stream, seq) {
    if (!hasTail(Buffer.from(obj.payload).toString('utf8'), seq)) throw new Error('delivery tail does not match the message');
  },
};

/** Envelope bytes of a benchmark object: format 1, no expiry, no thread root (object.ts). */
const ENVELOPE_BYTES = 28;

/**
 * For `find: 'name'`: the message number of a `pub` or `obj` frame (both end with the object)
 * whose object has a `payloadBytes` payload and lies in `stream`, else -1.
 */
export function seqByName(stream: Stream, payloadBytes: number): (data: Buffer) => number {
  const prefix = makeName({ ...nameFields(stream.channel), device: stream.device, seq: 0 }).subarray(0, 12);
  const objectBytes = ENVELOPE_BYTES + payloadBytes;
  return (data) => {
    const at = data.length - objectBytes;
    if (at < 0 || data[at] !== 1 || data[at + 1] !== 0) return -1;
    for (let i = 0; i < 12; i++) if (data[at + 2 + i] !== prefix[i]) return -1;
    return data.readUInt32BE(at + 14);
  };
}
