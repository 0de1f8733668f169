import { Backoff, Link, type MichatError } from '@michat/client';
import type { ClientFrame, ServerFrame } from '@michat/protocol';
import type { Clock, Logger } from '@michat/core';

export interface UpstreamSocketDeps {
  /** The parent's base HTTP URL (its WebSocket is `/ws` under it). */
  url: string;
  identity: { token(): Promise<string>; renew(): Promise<void> };
  clock: Clock;
  logger: Logger;
  /** Heartbeat period bounds (default: a random 3.5–7 s, like clients). */
  heartbeat?: { minMs: number; maxMs: number } | undefined;
  onOpen(): void;
  onDown(): void;
  onFrame(frame: ServerFrame): void;
  /** Sends this beat's heartbeat frames; the next beat is scheduled once it settles. */
  onBeat(): Promise<void>;
}

const DEFAULT_BEATS = { minMs: 3_500, maxMs: 7_000 };
/** Relaunch a link that gave up (e.g. the account was refused) after this long. */
const RELAUNCH_MS = 30_000;
/** How long a ping may take to be answered before the socket counts as dead. */
const PONG_WAIT_MS = 5_000;

/**
 * The relay's WebSocket to its parent: the SDK's reconnecting `Link` (hello with the relay
 * account's token, backoff, reauthentication), request ids, heartbeats with a ping, and a
 * socket that stops answering given up. A link refused for good is relaunched after 30 s:
 * a relay never stops trying.
 */
export class UpstreamSocket {
  private readonly deps: UpstreamSocketDeps;
  private link: Link;
  private lastId = 0;
  private beatTimer: ReturnType<typeof setTimeout> | undefined;
  private relaunchTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private heardAt = 0;

  constructor(deps: UpstreamSocketDeps) {
    this.deps = deps;
    this.link = this.newLink();
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  start(): void {
    this.link.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopBeats();
    if (this.relaunchTimer) clearTimeout(this.relaunchTimer);
    await this.link.close();
  }

  /** Sends on the open socket; false when there is none. */
  send(frame: ClientFrame): boolean {
    return this.link.send(frame);
  }

  nextId(): number {
    this.lastId = this.lastId >= 0xffffffff ? 1 : this.lastId + 1;
    return this.lastId;
  }

  /** Gives the open socket up and reconnects. */
  abandon(reason: string): void {
    this.link.abandon(reason);
  }

  private newLink(): Link {
    return new Link({
      url: `${this.deps.url.replace(/^http(s?):/i, 'ws$1:').replace(/\/$/, '')}/ws`,
      clientName: 'michat-relay',
      backoff: new Backoff({ initialMs: 500, maxMs: 15_000 }),
      openTimeoutMs: 10_000,
      localNow: () => this.deps.clock.now(),
      token: () => this.deps.identity.token(),
      reauthenticate: () => this.deps.identity.renew(),
      dropInbound: undefined,
      onOpen: () => this.opened(),
      onFrame: (frame) => {
        this.heardAt = this.deps.clock.now();
        this.deps.onFrame(frame);
      },
      onDown: () => {
        this.stopBeats();
        this.deps.onDown();
      },
      onState: () => undefined,
      onOnlineState: () => undefined,
      onError: (e) => this.deps.logger.debug({ err: e.message }, 'upstream'),
      onFatal: (e) => this.fatal(e),
    });
  }

  private opened(): void {
    this.heardAt = this.deps.clock.now();
    this.deps.onOpen();
    this.scheduleBeat();
  }

  /** The parent refused the relay for good (account gone, no common version): try again later. */
  private fatal(e: MichatError): void {
    this.deps.logger.error({ kind: e.kind, err: e.message }, 'upstream refused the relay; trying again in 30 s');
    if (this.closed) return;
    this.relaunchTimer = setTimeout(() => {
      if (this.closed) return;
      this.link = this.newLink();
      this.link.start();
    }, RELAUNCH_MS);
  }

  private scheduleBeat(): void {
    this.stopBeats();
    const { minMs, maxMs } = this.deps.heartbeat ?? DEFAULT_BEATS;
    this.beatTimer = setTimeout(
      () => {
        // A socket that stopped answering (pings unanswered for two periods) is given up.
        if (this.deps.clock.now() - this.heardAt > 2 * maxMs + PONG_WAIT_MS) return this.link.abandon('upstream stopped answering');
        this.send({ t: 'ping', id: this.nextId() });
        void this.deps.onBeat().finally(() => {
          if (this.link.isOpen && !this.closed) this.scheduleBeat();
        });
      },
      minMs + Math.random() * (maxMs - minMs),
    );
  }

  private stopBeats(): void {
    if (this.beatTimer) clearTimeout(this.beatTimer);
    this.beatTimer = undefined;
  }
}
