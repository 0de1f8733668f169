import { z } from 'zod';
import { DeviceId, RequestId } from './common.ts';

/** First frame of a connection: the versions the client speaks and its access token. */
export const Hello = z.object({
  t: z.literal('hello'),
  versions: z.array(z.number().int()).min(1).max(16),
  token: z.string().max(4096),
  client: z.string().max(64).optional(),
});

/** A fresh access token for an open connection (before the old one expires). */
export const Auth = z.object({ t: z.literal('auth'), token: z.string().max(4096) });

export const Welcome = z.object({
  t: z.literal('welcome'),
  version: z.number().int(),
  serverTime: z.number(),
  user: z.string(),
  device: DeviceId,
  limits: z.object({
    maxFrameBytes: z.number().int(),
    maxObjectBytes: z.number().int(),
    ratePerSec: z.number(),
    burst: z.number(),
  }),
  heartbeat: z.object({ minMs: z.number().int(), maxMs: z.number().int() }),
});

/** The server closes: draining for a restart, or the session was revoked. */
export const Bye = z.object({
  t: z.literal('bye'),
  reason: z.enum(['draining', 'revoked', 'expired']),
  retryAfterMs: z.number().int().min(0).optional(),
});

/**
 * Liveness probe (after hello only). The heartbeat is silent while nothing differs, so a
 * client that heard nothing for a while pings: no answer means a half-open socket.
 */
export const Ping = z.object({ t: z.literal('ping'), id: RequestId });

/** Answers `ping` at once, with the server clock. */
export const Pong = z.object({ t: z.literal('pong'), id: RequestId, serverTime: z.number() });
