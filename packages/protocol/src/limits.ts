/** Largest encoded object (envelope + payload), in bytes. Matches the KV value limit. */
export const MAX_OBJECT_BYTES = 64 * 1024;
/** Largest client→server frame we decode; bigger ones get `TooLarge`. */
export const MAX_FRAME_BYTES = 128 * 1024;
/** Frames bigger than this are cut by the WebSocket layer (close 1009) before we see them. */
export const HARD_FRAME_BYTES = 1024 * 1024;
/** Largest page a history request may ask for. */
export const MAX_HISTORY_LIMIT = 500;
/** Objects per `objs` frame during catch-up. */
export const CATCHUP_BATCH = 256;
/** Server frames carrying objects (`objs`, `page`) stop growing past this many bytes. */
export const BATCH_BYTES = 512 * 1024;
/** Largest server→client frame a client decodes (a batch may exceed BATCH_BYTES by one object). */
export const MAX_SERVER_FRAME_BYTES = 2 * 1024 * 1024;
/** Past this many missing objects, subscribe answers with a gap instead of the objects. */
export const MAX_CATCHUP_OBJECTS = 10_000;
/** Heartbeat period bounds: each beat waits a uniformly random delay in this range. */
export const HEARTBEAT_MIN_MS = 3_500;
export const HEARTBEAT_MAX_MS = 7_000;
/** Presence lasts about three heartbeats unless renewed. */
export const PRESENCE_TTL_MS = 3 * HEARTBEAT_MAX_MS;
/** How long a typing indicator is shown without a renewal. */
export const TYPING_TTL_MS = 6_000;
/** `created` may be at most this far ahead of the server clock. */
export const MAX_FUTURE_SKEW_MS = 2 * 60_000;
/** `created` may be at most this far behind the server clock (offline outboxes, relays). */
export const MAX_BACKDATE_MS = 14 * 24 * 3600_000;
/** Channels one heartbeat may watch. */
export const MAX_WATCHED_CHANNELS = 256;
/** Devices in one version vector. */
export const MAX_VECTOR_ENTRIES = 100_000;
/**
 * Ranges (intervals above the contiguous part) in one vector entry. Servers refuse a publish
 * that would give a device's stream in a channel more holes than this, so what they hold
 * always fits (and its stored state stays under ~8 KiB).
 */
export const MAX_VECTOR_RANGES_PER_ENTRY = 1_024;
/** Ranges in one version vector, all entries together (the frame byte limits apply too). */
export const MAX_VECTOR_RANGES = 100_000;
