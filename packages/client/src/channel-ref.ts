import { MichatError, channelFromKey, type Channel, type Prefix } from '@michat/protocol';

/** A channel as the API returns it, or its key (18 hex digits, the first 9 bytes of its names). */
export type ChannelRef = Pick<Channel, 'key'> | string;

/** The channel's 72-bit prefix; BadRequest when the key is malformed. */
export function channelPrefix(ref: ChannelRef): Prefix {
  const key = typeof ref === 'string' ? ref : ref.key;
  const prefix = channelFromKey(key.toLowerCase());
  if (!prefix) throw new MichatError('BadRequest', `"${key}" is not a channel key (18 hex digits)`);
  return prefix;
}
