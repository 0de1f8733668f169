import { CHANNEL_BITS, MichatError, makePrefix, nameFields, type Name, type Prefix } from '@michat/protocol';
import type { Directory } from '../directory/directory.ts';
import type { ChannelRecord } from '../directory/records.ts';
import type { AccessClaims } from './token-service.ts';

/**
 * Data-plane authorization (default deny): a prefix names a channel through its org, team
 * and channel fields; only members of that channel may publish, subscribe or read history.
 */
export class Access {
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

  /** Resolves the channel and checks that the bearer is a member; Forbidden otherwise. */
  async requireMember(claims: AccessClaims, name: Name): Promise<{ record: ChannelRecord; prefix: Prefix }> {
    const channel = await this.channelOf(name);
    if (!(await this.directory.channelMembership(channel.record.id, claims.userId))) {
      throw new MichatError('Forbidden', 'you are not a member of this channel');
    }
    return channel;
  }
}
