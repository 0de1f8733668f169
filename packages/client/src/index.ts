export { MichatClient } from './michat-client.ts';
export type { ClientEvents, ConnectionState, HistoryOptions, HistoryPage, LoginOptions, MichatClientOptions, PublishOptions } from './client-types.ts';
export type { OnlineState } from './link.ts';
export { ChannelView, type ChannelViewOptions } from './view/channel-view.ts';
export type { PublishResult, QueuedMessage, DeliveryEvent } from './outbox/outbox-types.ts';
export type { Subscription, SubscribeOptions, ObjectHandler } from './subscription.ts';
export type { PresenceEvent, PresenceMember, PresenceStatus, TypingEvent } from './presence-roster.ts';
export type { ChannelRef } from './channel-ref.ts';
export type { BackoffOptions } from './backoff.ts';
export type { HeartbeatBounds } from './heartbeat.ts';
export { MemorySeqStore, type SeqStore } from './seq-store.ts';
export {
  encodeTextPayload,
  encodePayload,
  decodePayload,
  MAX_EMOJI_LENGTH,
  MAX_MENTIONS,
  type Payload,
  type OutgoingPayload,
  type TextPayload,
  type DeletePayload,
  type ReactionPayload,
  type ReadPayload,
} from './payload.ts';
export { HttpApi } from './http-api.ts';
export { DirectoryApi } from './directory-api.ts';
export type { LocalStore, StoredObject, ObjectRange, OutboxEntry, OutboxState } from './store/local-store.ts';
export { MemoryStore } from './store/memory-store.ts';
export { ChannelTimeline } from './timeline/channel-timeline.ts';
export type { DeliveryState, MessageView, ReactionView, TimelineIdentity } from './timeline/message-view.ts';
export { IndexedDbStore } from './store/indexeddb-store.ts';
export { RecordKeys, type StoredProfile, type StoredDirectory } from './store/store-records.ts';
export { exportState, importState, readExport, type MichatExport, type ImportSummary, type ExportOptions, type ImportOptions } from './store/state-export.ts';
export { isEncryptedExport, EXPORT_SCRYPT, type EncryptedExport } from './store/export-encryption.ts';
export { Verification, type DeviceTrust, type ChangedKey } from './e2ee/verification.ts';
// What apps handle most, so they need not import the protocol package for it.
export { MichatError, toHex, fromHex, nameToText } from '@michat/protocol';
export type { Channel, ErrorKind, Me, MichatObject, Name, Session, Team, VectorEntries } from '@michat/protocol';
// Building blocks for hosts that speak the protocol on behalf of others (relays).
export { Link, type LinkDeps, type LinkState } from './link.ts';
export { Backoff } from './backoff.ts';
export { SessionKeeper, type SessionKeeperDeps } from './session-keeper.ts';
