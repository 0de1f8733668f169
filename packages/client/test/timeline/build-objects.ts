import { channelFromKey, encodeObject, fromHex, makeName, nameDevice, nameFields, nameSeq, positionToCursor, toHex, type MichatObject } from '@michat/protocol';
import { encodePayload, type OutgoingPayload } from '../../src/index.ts';

export const CHANNEL = '00000100000100000a';
const channelName = channelFromKey(CHANNEL)!.name;

/** An object of the test channel written by `device` as its `seq`-th. */
export function object(device: number, seq: number, created: number, payload: OutgoingPayload, threadRoot?: string): MichatObject {
  return encodeObject(
    {
      name: makeName({ ...nameFields(channelName), device, seq }),
      created,
      keyEpoch: 0,
      ...(threadRoot !== undefined ? { threadRoot: fromHex(threadRoot)! } : {}),
    },
    encodePayload(payload),
  );
}

export const hexOf = (obj: MichatObject) => toHex(obj.name);
export const positionOf = (obj: MichatObject) => positionToCursor({ created: obj.created, device: nameDevice(obj.name), seq: nameSeq(obj.name) });

/** Writes objects like a few devices would: each numbers its own 1, 2, 3… */
export class Writers {
  private readonly seqs = new Map<number, number>();
  private clock = 1_760_000_000_000;

  write(device: number, payload: OutgoingPayload, options: { threadRoot?: string; created?: number } = {}): MichatObject {
    const seq = (this.seqs.get(device) ?? 0) + 1;
    this.seqs.set(device, seq);
    return object(device, seq, options.created ?? (this.clock += 1_000), payload, options.threadRoot);
  }
}
