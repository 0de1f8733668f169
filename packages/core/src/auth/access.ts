import { CHANNEL_BITS, MichatError, isGroupLogName, makePrefix, nameDevice, nameFields, type MichatObject, type Name, type Prefix } from '@michat/protocol';
import type { Directory } from '../directory/directory.ts';
import type { ChannelRecord } from '../directory/records.ts';
import { checkImport, checkPublish } from '../rooms/publish-rules.ts';
import type { AccessClaims } from './token-service.ts';

/** What the data plane asks before reading or writing a channel (a node's Access, or a relay's). */
export interface DataAccess {
  /** The channel (72-bit prefix) `name` lies in, once the bearer may read it; Forbidden or NotFound otherwise. */
  requireMember(claims: AccessClaims, name: Name): Promise<{ prefix: Prefix }>;
  /** The channel `obj` goes to, once the bearer may publish it (every publish rule checked); MichatError otherwise. */
  requirePublish(claims: AccessClaims, obj: MichatObject, now: number): Promise<{ prefix: Prefix }>;
}

/**
 * Data-plane authorization (default deny): a prefix names a channel through its org, team
 * and channel fields; only members of that channel may publish, subscribe or read history.
 * A relay account may read every channel of its org and publish objects of member devices
 * (docs/access.md, relay accounts).
 */
export class Access implements DataAccess {
  private readonly directory: Directory;

  constructor(directory: Directory) {
    this.directory = directory;
  }

  /** The channel a name or prefix lies in. NotFound when there is none (same answer as no access). */
  async channelOf(name: Name): Promise<{ record: ChannelRecord; prefix: Prefix }> {
    const f = nameFields(name);
    const record = await this.directory.channel(f.channel);
    if (!record || record.teamId !== f.team || record.orgId !== f.org || f.kind !== 1) {
      throw new MichatError('NotFound', 'no such channel');
    }
    return { record, prefix: makePrefix(name, CHANNEL_BITS) };
  }

  /** Resolves the channel and checks that the bearer is a member (a relay: of its org); Forbidden otherwise. */
  async requireMember(claims: AccessClaims, name: Name): Promise<{ record: ChannelRecord; prefix: Prefix }> {
    const channel = await this.channelOf(name);
    if (claims.relay) {
      if (channel.record.orgId !== claims.orgId) throw new MichatError('Forbidden', 'a relay account serves the channels of its own organization only');
      return channel;
    }
    if (!(await this.directory.channelMembership(channel.record.id, claims.userId))) {
      throw new MichatError('Forbidden', 'you are not a member of this channel');
    }
    return channel;
  }

  /**
   * A member publishes objects of its own device, within the clock window. A relay forwards
   * objects of other devices, written maybe long ago while it was offline: it keeps their
   * time, and the device's owner must be a member now.
   */
  async requirePublish(claims: AccessClaims, obj: MichatObject, now: number): Promise<{ prefix: Prefix }> {
    const { record, prefix } = await this.requireMember(claims, obj.name);
    if (!claims.relay) {
      checkPublish({ obj, channel: prefix, deviceId: claims.deviceId, now });
      return { prefix };
    }
    checkImport(obj, prefix, now);
    if (isGroupLogName(obj.name)) return { prefix }; // a Commit: MLS signs it, members check it
    const device = await this.directory.device(nameDevice(obj.name));
    if (!device || !(await this.directory.channelMembership(record.id, device.userId))) {
      throw new MichatError('Forbidden', `device ${nameDevice(obj.name)} does not belong to a member of this channel`);
    }
    return { prefix };
  }
}
