import type { MichatObject, Prefix } from '@michat/protocol';
import type { KvEntry } from '../ports/kv-store.ts';
import type { PresenceStatus } from './presence-table.ts';

/** A presence change as it travels between nodes. */
export interface PresenceChange {
  user: string;
  device: number;
  status: PresenceStatus | 'gone';
}

/**
 * What a room hears from the same channel's rooms on other nodes: a stored object, or a
 * frame for its subscribers (typing, or a presence change `p`). Relay mode: an object from
 * upstream is `relayed`, not stored here yet: the room stores it and never shares it back.
 */
export type RemoteRoomEvent = { k: 'obj'; b: Uint8Array; relayed?: true } | { k: 'frame'; f: Uint8Array; p?: PresenceChange };

/** One present device, as every node of a deployment lists it. */
export interface PresenceEntry {
  user: string;
  device: number;
  status: PresenceStatus;
}

/**
 * How the rooms of one channel on several nodes act as one (cluster mode; a single node has
 * no link). Everything here is at most once and may fail silently: storage is the truth, and
 * heartbeats with version vectors heal what a lost message left out.
 */
export interface RoomLink {
  /**
   * Listens to the channel's events from other nodes; resolves once listening. `receive`
   * returns a promise for a relayed object (settled once stored), else nothing.
   */
  follow(channel: Prefix, receive: (event: RemoteRoomEvent) => void | Promise<unknown>): Promise<() => void>;
  /**
   * Entries to write in the same commit as a local publish (relay mode: the mark that the
   * channel holds something the parent may lack). Optional.
   */
  entries?(channel: Prefix, obj: MichatObject): KvEntry[];
  /**
   * Relay mode: the parent's answer for an object only the origin may accept (a channel's
   * group log: one Commit per epoch, decided in one place), or undefined for an object the
   * room stores itself. Rejects with the parent's refusal, or Unavailable when it cannot be
   * asked now. Optional.
   */
  decide?(channel: Prefix, obj: MichatObject): Promise<{ dup: boolean }> | undefined;
  /**
   * Resolves once the room holds what the other side held when it was followed (relay mode:
   * a channel new to the relay is filled from upstream first), or when that cannot be had
   * soon. Catch-up and history wait for it. Optional.
   */
  ready?(channel: Prefix): Promise<void>;
  /** Tells the other nodes' rooms of this channel (never waits, never throws). */
  share(channel: Prefix, event: RemoteRoomEvent): void;
  /** Marks a device present cluster-wide for one presence TTL (replacing `previous` status). */
  present(channel: Prefix, entry: PresenceEntry, previous?: PresenceStatus): void;
  /** Ends a device's presence cluster-wide. */
  absent(channel: Prefix, entry: PresenceEntry): void;
  /** Everyone present in the channel on any node, or undefined when that cannot be read now. */
  roster(channel: Prefix): Promise<PresenceEntry[] | undefined>;
}
