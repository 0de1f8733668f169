import { channelKey, type ServerFrameOf } from '@michat/protocol';

export type PresenceStatus = 'active' | 'away';

export interface PresenceMember {
  user: string;
  device: number;
  status: PresenceStatus;
}

export interface PresenceEvent {
  /** Channel key (18 hex digits). */
  channel: string;
  /** Everyone present now, after this update. */
  members: PresenceMember[];
  /** The change that caused this event (absent for a full snapshot). */
  change?: { user: string; device: number; status: PresenceStatus | 'gone' };
}

export interface TypingEvent {
  channel: string;
  user: string;
  device: number;
}

/**
 * Who is present in each subscribed channel, per (user, device): the snapshot sent on
 * subscribe, kept current by the changes that follow.
 */
export class PresenceRoster {
  private readonly channels = new Map<string, Map<string, PresenceMember>>();

  apply(frame: ServerFrameOf<'presence'>): PresenceEvent {
    const channel = channelKey(frame.channel);
    let members = this.channels.get(channel);
    if (frame.members || !members) {
      members = new Map();
      this.channels.set(channel, members);
      for (const m of frame.members ?? []) members.set(memberKey(m.user, m.device), { user: m.user, device: m.device, status: m.status });
    }
    const change = frame.change;
    if (change) {
      const key = memberKey(change.user, change.device);
      if (change.status === 'gone') members.delete(key);
      else members.set(key, { user: change.user, device: change.device, status: change.status });
    }
    return { channel, members: [...members.values()], ...(change ? { change } : {}) };
  }

  members(channel: string): PresenceMember[] {
    return [...(this.channels.get(channel)?.values() ?? [])];
  }

  forget(channel: string): void {
    this.channels.delete(channel);
  }

  /** The connection dropped: what we knew is stale until the next snapshots. */
  clear(): void {
    this.channels.clear();
  }
}

function memberKey(user: string, device: number): string {
  return `${user}/${device}`;
}
