import { CHANNEL_BITS, MichatError, makePrefix, nameFields, type MichatObject, type Name, type Prefix } from '@michat/protocol';
import { checkImport, checkPublish, type AccessClaims } from '@michat/core';
import type { ChannelAcls } from './channel-acls.ts';

/**
 * Data-plane authorization at a relay (default deny), from the token's claims and the
 * channel's member list as the origin last gave it. A downstream relay (relay account) may
 * use any channel of its org, as at the origin; the origin checks what it forwards.
 */
export class RelayAccess {
  private readonly acls: ChannelAcls;

  constructor(acls: ChannelAcls) {
    this.acls = acls;
  }

  async requireMember(claims: AccessClaims, name: Name): Promise<{ prefix: Prefix }> {
    const f = nameFields(name);
    const prefix = makePrefix(name, CHANNEL_BITS);
    if (f.kind !== 1) throw new MichatError('NotFound', 'no such channel');
    if (claims.relay) {
      if (f.org !== claims.orgId) throw new MichatError('Forbidden', 'a relay account serves the channels of its own organization only');
      return { prefix };
    }
    const acl = await this.acls.get(prefix);
    if (!acl) throw new MichatError('NotFound', 'no such channel');
    if (!acl.members.includes(claims.userId)) throw new MichatError('Forbidden', 'you are not a member of this channel');
    return { prefix };
  }

  async requirePublish(claims: AccessClaims, obj: MichatObject, now: number): Promise<{ prefix: Prefix }> {
    const { prefix } = await this.requireMember(claims, obj.name);
    if (claims.relay) {
      checkImport(obj, prefix, now);
      return { prefix };
    }
    checkPublish({ obj, channel: prefix, deviceId: claims.deviceId, now });
    if ((await this.acls.get(prefix))?.archived) throw new MichatError('Forbidden', 'this channel is archived: it is read-only');
    return { prefix };
  }
}
