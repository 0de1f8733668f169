export { MichatClient } from './michat-client.ts';
export type { ClientEvents, ConnectionState, HistoryOptions, HistoryPage, LoginOptions, MichatClientOptions, PublishOptions } from './client-types.ts';
export type { PublishResult } from './publish-job.ts';
export type { Subscription, SubscribeOptions, ObjectHandler } from './subscription.ts';
export type { PresenceEvent, PresenceMember, PresenceStatus, TypingEvent } from './presence-roster.ts';
export type { ChannelRef } from './channel-ref.ts';
export type { BackoffOptions } from './backoff.ts';
export type { HeartbeatBounds } from './heartbeat.ts';
export { MemorySeqStore, type SeqStore } from './seq-store.ts';
export { encodeTextPayload, decodePayload, type Payload } from './payload.ts';
export { HttpApi } from './http-api.ts';
// What apps handle most, so they need not import the protocol package for it.
export { MichatError } from '@michat/protocol';
export type { Channel, ErrorKind, Me, MichatObject, Name, Session, Team, VectorEntries } from '@michat/protocol';
