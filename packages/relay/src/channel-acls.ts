import { MichatError, channelKey, type Prefix } from '@michat/protocol';
import { jsonBytes, parseJsonBytes, type Clock, type KvStore } from '@michat/core';

/** Who may use a channel, as the origin last said (`GET /api/relay/channels/{prefix}`). */
export interface ChannelAcl {
  channelId: number;
  orgId: number;
  teamId: number;
  archived: boolean;
  /** User ids of the current members. */
  members: number[];
  /** When the relay learnt it (its clock). */
  fetchedAt: number;
}

export interface ChannelAclsDeps {
  kv: KvStore;
  clock: Clock;
  /** Asks the parent; undefined when it says there is no such channel. Throws when it cannot be asked. */
  fetch(channelHex: string): Promise<Omit<ChannelAcl, 'fetchedAt'> | undefined>;
  /** Whether the parent is reachable now. */
  online(): boolean;
  /** An answer younger than this is used as is; an older one is used while a fresh one is asked for. */
  freshMs: number;
}

const ACL = 'relay/acl/';
/** A "no such channel" answer is remembered this long (in memory only). */
const UNKNOWN_MS = 5_000;

/**
 * The relay's copy of each channel's member list, kept in its store so authorization keeps
 * working offline: a member removed upstream loses access here within `freshMs` (plus one
 * request) while connected, and at the first contact after an outage.
 */
export class ChannelAcls {
  private readonly deps: ChannelAclsDeps;
  private readonly known = new Map<string, ChannelAcl>();
  private readonly unknown = new Map<string, number>();
  private readonly asking = new Map<string, Promise<ChannelAcl | undefined>>();

  constructor(deps: ChannelAclsDeps) {
    this.deps = deps;
  }

  /** The channel's ACL; undefined when the parent says it does not exist; Unavailable when nobody can say. */
  async get(channel: Prefix): Promise<ChannelAcl | undefined> {
    const hex = channelKey(channel.name);
    const now = this.deps.clock.now();
    const held = this.known.get(hex) ?? (await this.stored(hex));
    if (held && now - held.fetchedAt < this.deps.freshMs) return held;
    if (!held && now - (this.unknown.get(hex) ?? -Infinity) < UNKNOWN_MS) return undefined;
    if (!this.deps.online()) {
      if (held) return held;
      throw new MichatError('Unavailable', 'the relay is offline and has not seen this channel yet', 5_000);
    }
    const asked = this.ask(hex);
    if (held) {
      asked.catch(() => undefined); // stale while revalidating
      return held;
    }
    return asked;
  }

  private ask(hex: string): Promise<ChannelAcl | undefined> {
    let asking = this.asking.get(hex);
    if (!asking) {
      asking = this.fetchAndKeep(hex).finally(() => this.asking.delete(hex));
      this.asking.set(hex, asking);
    }
    return asking;
  }

  private async fetchAndKeep(hex: string): Promise<ChannelAcl | undefined> {
    const answer = await this.deps.fetch(hex);
    if (!answer) {
      this.known.delete(hex);
      this.unknown.set(hex, this.deps.clock.now());
      await this.deps.kv.delete(ACL + hex);
      return undefined;
    }
    const acl = { ...answer, fetchedAt: this.deps.clock.now() };
    this.known.set(hex, acl);
    this.unknown.delete(hex);
    await this.deps.kv.put(ACL + hex, jsonBytes(acl));
    return acl;
  }

  private async stored(hex: string): Promise<ChannelAcl | undefined> {
    const raw = await this.deps.kv.get(ACL + hex);
    if (!raw) return undefined;
    const acl = parseJsonBytes<ChannelAcl>(raw);
    this.known.set(hex, acl);
    return acl;
  }
}
