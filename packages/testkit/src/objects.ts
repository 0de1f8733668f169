import { channelFromKey, encodeObject, makeName, nameFields, type Channel, type MichatObject, type Session } from '@michat/protocol';

/** A text message object from `session`'s device in `channel`, number `seq`. */
export function textObject(channel: Channel, session: Session, seq: number, text: string, extra: { created?: number; threadRoot?: Uint8Array; expires?: number } = {}): MichatObject {
  const f = nameFields(channelFromKey(channel.key)!.name);
  const name = makeName({ ...f, device: session.deviceId, seq });
  return encodeObject(
    { name, created: extra.created ?? Date.now(), keyEpoch: 0, ...(extra.threadRoot ? { threadRoot: extra.threadRoot } : {}), ...(extra.expires !== undefined ? { expires: extra.expires } : {}) },
    new TextEncoder().encode(JSON.stringify({ type: 'text', text })),
  );
}

export function channelPrefix(channel: Channel): Uint8Array {
  return channelFromKey(channel.key)!.name;
}
