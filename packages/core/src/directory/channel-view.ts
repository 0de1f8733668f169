import { CHANNEL_BITS, makeName, toHex, type Channel, type Prefix, type RequestState } from '@michat/protocol';
import type { ChannelRecord } from './records.ts';

/** The channel's 72-bit prefix: every name of an object in it starts so. */
export function channelPrefixOf(c: ChannelRecord): Prefix {
  return { name: makeName({ kind: 1, org: c.orgId, team: c.teamId, channel: c.id, device: 0, seq: 0 }), bits: CHANNEL_BITS };
}

/** The hex key of a channel's 72-bit prefix (the first 18 hex digits of its names). */
export function channelPrefixHex(c: ChannelRecord): string {
  return toHex(channelPrefixOf(c).name).slice(0, 18);
}

/** What a view says about the caller's relation to a channel. */
export interface ChannelFlags {
  member?: boolean;
  owner?: boolean;
  request?: RequestState;
  /** Direct messages: who is in it. */
  members?: string[];
}

/** A channel as the API shows it. */
export function channelView(c: ChannelRecord, flags: ChannelFlags = {}): Channel {
  return {
    id: c.id,
    teamId: c.teamId,
    orgId: c.orgId,
    name: c.name,
    visibility: c.visibility,
    key: channelPrefixHex(c),
    ...(c.topic !== undefined ? { topic: c.topic } : {}),
    ...(c.capacity !== undefined ? { capacity: c.capacity } : {}),
    ...(c.archived ? { archived: true } : {}),
    ...(flags.member !== undefined ? { member: flags.member } : {}),
    ...(flags.owner ? { owner: true } : {}),
    ...(flags.request !== undefined ? { request: flags.request } : {}),
    ...(flags.members !== undefined ? { members: flags.members } : {}),
  };
}
