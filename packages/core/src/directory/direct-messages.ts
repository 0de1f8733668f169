import { MAX_CHANNEL } from '@michat/protocol';
import { jsonBytes } from '../util/json-bytes.ts';
import type { DirStore } from './dir-store.ts';
import { DIRECT_TEAM_ID, dirKeys, type ChannelMembership, type ChannelRecord } from './records.ts';

/**
 * Direct messages: channels of their own under the org's reserved team 0, so their names
 * read `kind | org | 0 | channel` and every data-plane check works on them unchanged.
 * Membership is fixed at creation. A 1:1 DM is unique per pair (a claimed pair key);
 * a group DM is new each time. Who may DM whom is the caller's check.
 */
export class DirectMessages {
  private readonly store: DirStore;
  private readonly channelOf: (id: number) => Promise<ChannelRecord | undefined>;

  constructor(store: DirStore, channelOf: (id: number) => Promise<ChannelRecord | undefined>) {
    this.store = store;
    this.channelOf = channelOf;
  }

  /**
   * The DM of `creatorId` with `others` (distinct, creator not among them): the existing
   * one for a pair, else a new channel in `orgId`, written in one atomic step.
   */
  open(orgId: number, creatorId: number, others: number[]): Promise<{ channel: ChannelRecord; created: boolean }> {
    const people = [creatorId, ...others].sort((a, b) => a - b);
    const pairKey = others.length === 1 ? dirKeys.directPair(creatorId, others[0]!) : undefined;
    return this.store.writes.run(async () => {
      if (pairKey) {
        const existing = await this.store.idAt(pairKey);
        const channel = existing === undefined ? undefined : await this.channelOf(existing);
        if (channel) return { channel, created: false };
      }
      const id = await this.store.nextId('channel', MAX_CHANNEL);
      const channel: ChannelRecord = { id, teamId: DIRECT_TEAM_ID, orgId, name: `dm-${id}`, visibility: 'direct', createdBy: creatorId, created: this.store.clock.now(), people };
      const member = jsonBytes({ owner: false } satisfies ChannelMembership);
      const entries = people.flatMap((userId) => [
        [dirKeys.channelMember(id, userId), member] as [string, Uint8Array],
        [dirKeys.userDirect(userId, id), new Uint8Array(0)] as [string, Uint8Array],
      ]);
      if (pairKey) await this.store.claim(pairKey, id, 'this direct message exists', [[dirKeys.channel(id), jsonBytes(channel)], ...entries], 'channel');
      else await this.store.claim(dirKeys.channel(id), id, 'channel id taken', entries, 'channel', jsonBytes(channel));
      return { channel, created: true };
    });
  }

  /** The DMs a user is in, oldest first. */
  async ofUser(userId: number): Promise<ChannelRecord[]> {
    const rows = await this.store.listById<undefined>(dirKeys.userDirects(userId));
    const channels = await Promise.all(rows.map((r) => this.channelOf(r.id)));
    return channels.filter((c): c is ChannelRecord => c !== undefined).sort((a, b) => a.id - b.id);
  }
}
