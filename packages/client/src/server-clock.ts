/**
 * The server's clock as seen from here. Objects carry `created` from the sender's clock and
 * the server refuses ones too far off (ClockSkew), so the client stamps with its local clock
 * corrected by the offset learnt at each welcome (and from ClockSkew errors).
 */
export class ServerClock {
  private readonly local: () => number;
  private offset = 0;

  constructor(local: () => number = Date.now) {
    this.local = local;
  }

  /** Estimated server time, ms since the epoch. */
  now(): number {
    return Math.round(this.local() + this.offset);
  }

  localNow(): number {
    return this.local();
  }

  /**
   * Learns from a server timestamp. With the local times the request left and the answer
   * came, the server's stamp is taken to be from the middle of the round trip.
   */
  learn(serverTime: number, sentAt?: number, receivedAt: number = this.local()): void {
    const localAtServer = sentAt === undefined ? receivedAt : (sentAt + receivedAt) / 2;
    this.offset = serverTime - localAtServer;
  }

  /** Current offset (server minus local), ms. */
  get offsetMs(): number {
    return this.offset;
  }
}
