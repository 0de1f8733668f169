import { makeName, toHex, type Channel, type RequestState } from '@michat/protocol';
import type { ChannelRecord } from './records.ts';

/** The hex key of a channel's 72-bit prefix (the first 18 hex digits of its names). */
export function channelPrefixHex(c: ChannelRecord): string {
  return toHex(makeName({ kind: 1, org: c.orgId, team: c.teamId, channel: c.id, device: 0, seq: 0 })).slice(0, 18);
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
