import type { MichatObject, Name, ServerFrame, Session } from '@michat/protocol';
import type { BackoffOptions } from './backoff.ts';
import type { HeartbeatBounds } from './heartbeat.ts';
import type { LinkState, OnlineState } from './link.ts';
import type { DeliveryEvent } from './outbox/outbox-types.ts';
import type { PresenceEvent, PresenceStatus, TypingEvent } from './presence-roster.ts';
import type { SeqStore } from './seq-store.ts';
import type { LocalStore } from './store/local-store.ts';

/** `idle` until first used, then `connecting` (opening or waiting to retry), `open`, `closed`. */
export type ConnectionState = LinkState;

export interface MichatClientOptions {
  /**
   * Where the client keeps its state: session, outbox, sequence numbers, objects, vectors,
   * directory snapshot (IndexedDbStore in browsers, FileStore in Node). Default: a MemoryStore
   * private to this client, which keeps the outbox only.
   */
  store?: LocalStore;
  /** Sequence numbers per (device, channel), instead of the store's counters (e.g. the CLI's profile). */
  seqStore?: SeqStore;
  /** Called with every new session (login, refresh): persist it to resume later. */
  onSession?: (session: Session) => void;
  /** Sent in hello, for the server's logs (≤ 64 characters). */
  clientName?: string;
  /** Presence status announced by heartbeats (default active). */
  presence?: PresenceStatus;
  /** Heartbeat period bounds; default: what the server says in welcome. */
  heartbeat?: HeartbeatBounds;
  /** Reconnect backoff (default 250 ms doubling to 10 s, with jitter). */
  backoff?: BackoffOptions;
  /** Refresh the access token this long before it expires (default 60 s). */
  refreshBeforeMs?: number;
  /** Give up on a connection attempt not welcomed within this (default 10 s). */
  openTimeoutMs?: number;
  /**
   * After two heartbeat periods with nothing received the client pings; a socket that
   * answers nothing within this is taken for dead and replaced (default 5 s).
   */
  pongTimeoutMs?: number;
  /** Local clock (default Date.now); stamps are corrected by the offset learnt from the server. */
  now?: () => number;
  /**
   * End-to-end encryption: channel views and `sendText` seal messages for the channel's MLS
   * group, and open what others sealed. Opt-in while issue 9 lands (the web app and the CLI
   * turn it on once external joins and history sharing are in: docs/decisions/0009).
   */
  e2ee?: boolean;
  /** Test hooks. `dropInbound`: inbound frames for which it returns true are dropped unseen. */
  debug?: { dropInbound?: (frame: ServerFrame) => boolean };
}

export interface LoginOptions extends MichatClientOptions {
  /** Name of the device the login creates (shown in device lists). */
  deviceName?: string;
}

export interface PublishOptions {
  /** Reply in the thread of this object (same channel). */
  threadRoot?: Name;
  /** Server time (ms) after which the object is no longer served. */
  expires?: number;
  /**
   * Seal the payload for the channel's MLS group (end-to-end encrypted; the default of
   * `sendText` and channel views). Without it the payload goes as given, readable by servers.
   */
  encrypt?: boolean;
}

export interface HistoryOptions {
  /** Cursor from a previous page: older objects than it. */
  before?: string;
  /** Cursor from a previous page: newer objects than it (still returned newest first). */
  after?: string;
  /** Only this thread (its root's name). */
  thread?: Name;
  /** Page size, 1..500 (default 50). */
  limit?: number;
}

export interface HistoryPage {
  /** Newest first. */
  objects: MichatObject[];
  /** More objects lie past `next` in the same direction. */
  more: boolean;
  next?: string;
}

export interface ClientEvents {
  state: ConnectionState;
  /** For an offline banner: online, connecting, offline. */
  onlineState: OnlineState;
  /** A queued message changed state: pending (also when renumbered), sent, failed, discarded. */
  delivery: DeliveryEvent;
  /** Failures no caller awaits: err frames outside requests, refresh retries, throwing handlers. */
  error: Error;
  session: Session;
  presence: PresenceEvent;
  typing: TypingEvent;
}
