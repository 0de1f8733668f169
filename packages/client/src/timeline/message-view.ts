import type { ErrorKind } from '@michat/protocol';

/** Where one of this device's messages stands: queued here, stored by the server, or refused. */
export type DeliveryState = 'pending' | 'sent' | 'failed';

/** One emoji on a message: every user whose latest reaction with it is "on". */
export interface ReactionView {
  emoji: string;
  count: number;
  /** User ids of the reactors whose owner is known (count may be higher meanwhile). */
  users: number[];
  /** The current user is among them. */
  mine: boolean;
}

/** A message as a UI shows it: its latest edit, deletion, reactions and thread. */
export interface MessageView {
  /** Stable key for a UI list: the local id while (and after) it was sent from here, else `name`. */
  id: string;
  /** The object's name, 32 hex digits (changes if a queued message is renumbered). */
  name: string;
  channel: string;
  /** Display position (created, device, seq) as a history cursor; the list is sorted by it. */
  position: string;
  created: number;
  device: number;
  seq: number;
  /** The sender's user id and name once the device's owner is known. */
  userId?: number;
  username?: string;
  /** `unknown`: a payload this SDK cannot read (another type, or encrypted). */
  kind: 'text' | 'unknown';
  /** The latest version's text ('' when deleted or unknown). Markdown is the UI's business. */
  text: string;
  mentions: number[];
  edited: boolean;
  /** `created` of the edit shown. */
  editedAt?: number;
  deleted: boolean;
  /** Name (hex) of the thread's root when this is a reply. */
  threadRoot?: string;
  /** Replies in this message's thread (deleted ones not counted). */
  replies: number;
  lastReplyAt?: number;
  reactions: ReactionView[];
  /** Sent by the current user (any of their devices). */
  mine: boolean;
  /** The latest version mentions the current user. */
  mentionsMe: boolean;
  state: DeliveryState;
  /** End-to-end encrypted: sealed for the channel's members and signed by the device named. */
  e2ee: boolean;
  /**
   * A sealed message this device cannot show (yet): `pending` while its keys are on their
   * way, `failed` with the reason (sent before this device joined, changed in transit…).
   */
  undecryptable?: { state: 'pending' } | { state: 'failed'; reason: string };
  /** Why the server refused it (state `failed`). */
  error?: { kind: ErrorKind; message: string };
}

/** Who is who: device owners (learnt over time) and the current user. */
export interface TimelineIdentity {
  /** The user owning a device, when known. */
  userOf(device: number): number | undefined;
  /** A user's display name, when known. */
  usernameOf?(device: number): string | undefined;
  /** The current user and device (unread counts, mentions, `mine`). */
  me?: { userId: number; deviceId: number };
}
