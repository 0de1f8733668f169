import { decodePayload, type MichatClient, type MichatObject } from '@michat/client';
import { isGroupLogName, nameDevice, nameToText } from '@michat/protocol';

/** One message as the CLI prints it. */
export interface MessageView {
  name: string;
  sender: string;
  created: string;
  text: string;
  /** Sealed for the channel's members and signed by the sending device. */
  e2ee: boolean;
  thread?: string;
}

/** Resolves the sender (device → username, cached by the client) and decodes the payload. */
export async function viewOf(client: MichatClient, obj: MichatObject): Promise<MessageView | undefined> {
  if (isGroupLogName(obj.name)) return undefined; // the channel's MLS Commits: not messages
  const device = nameDevice(obj.name);
  const sender = await client.deviceOwner(device).then(
    (d) => d.username,
    () => `device ${device}`,
  );
  const read = await client.read(obj).catch(() => ({ undecryptable: 'sealed by another device than its name says' }));
  if ('control' in read) return undefined; // keys a member shared: not a message
  const payload = 'payload' in read ? decodePayload(read.payload) : undefined;
  const view: MessageView = {
    name: nameToText(obj.name),
    sender,
    created: new Date(obj.created).toISOString(),
    text: payload ? (payload.type === 'text' ? payload.text : `(${payload.type} message)`) : `(cannot be decrypted: ${(read as { undecryptable: string }).undecryptable})`,
    e2ee: 'payload' in read && read.e2ee,
  };
  if (obj.threadRoot) view.thread = nameToText(obj.threadRoot);
  return view;
}

/** A line for humans: `2026-11-23 18:20:01  alice: hello`. */
export function humanLine(v: MessageView): string {
  return `${v.created.slice(0, 19).replace('T', ' ')}  ${v.sender}${v.thread ? ' (thread)' : ''}: ${v.text}`;
}
