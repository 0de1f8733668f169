/** What a host gives the core for one client connection (a WebSocket, usually). */
export interface Transport {
  /** Sends one binary frame. */
  send(bytes: Uint8Array): void;
  /** Bytes queued but not yet written to the network. */
  bufferedAmount(): number;
  /** Closes with a WebSocket close code and reason. */
  close(code: number, reason: string): void;
}

/** Close codes michat uses (4000–4999 are application codes). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  tooLarge: 1009,
  unauthorized: 4401,
  forbidden: 4403,
  helloTimeout: 4408,
  revoked: 4409,
} as const;
