/** Per-connection limits; the host reads them from flags and environment. */
export interface ConnectionConfig {
  /** Frames per second a connection may sustain. */
  ratePerSec: number;
  /** Frames a connection may send at once. */
  burst: number;
  /** Past this many queued bytes, live deliveries to the peer are dropped (heartbeat heals). */
  slowConsumerBytes: number;
  /** A connection that has not said hello by then is closed. */
  helloTimeoutMs: number;
  /** Subscriptions one connection may hold. */
  maxSubscriptions: number;
}

export const DEFAULT_CONNECTION_CONFIG: ConnectionConfig = {
  ratePerSec: 200,
  burst: 1_000,
  slowConsumerBytes: 8 * 1024 * 1024,
  helloTimeoutMs: 10_000,
  maxSubscriptions: 1_000,
};
