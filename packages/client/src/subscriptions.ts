import {
  MichatError,
  bytesEqual,
  decodeObject,
  type ClientFrame,
  type ClientFrameOf,
  type MichatObject,
  type ServerFrame,
  type ServerFrameOf,
} from '@michat/protocol';
import { backoffDelay } from './backoff.ts';
import type { SubscriptionState } from './subscription.ts';

export interface SubscriptionsDeps {
  send(frame: ClientFrame): boolean;
  nextId(): number;
  onError(error: Error): void;
}

type Watch = ClientFrameOf<'hb'>['watch'][number];

/**
 * Every subscription of the client and the wire protocol behind them: `sub` on each new
 * socket (with the vector, so the catch-up brings exactly what was missed), routing of
 * `objs`/`subok`/`obj`, and `sync` when a heartbeat shows a subscription is behind.
 */
export class Subscriptions {
  private readonly deps: SubscriptionsDeps;
  private readonly all = new Set<SubscriptionState>();
  private readonly byRequest = new Map<number, { sub: SubscriptionState; kind: 'sub' | 'sync' }>();

  constructor(deps: SubscriptionsDeps) {
    this.deps = deps;
  }

  add(sub: SubscriptionState): void {
    this.all.add(sub);
    this.subscribe(sub);
  }

  remove(sub: SubscriptionState): void {
    if (!this.all.delete(sub)) return;
    sub.end();
    this.forgetRequests(sub);
    this.unsubscribeOnServer(sub);
  }

  /** True while some subscription covers the channel. */
  watches(channelKey: string): boolean {
    for (const sub of this.all) if (sub.key === channelKey) return true;
    return false;
  }

  /** A socket opened: subscribe everything again from where each one is. */
  open(): void {
    for (const sub of this.all) this.subscribe(sub);
  }

  /** The socket dropped: its request ids mean nothing any more. */
  down(): void {
    this.byRequest.clear();
    for (const sub of this.all) {
      sub.requestId = undefined;
      sub.syncId = undefined;
      sub.live = false;
      if (sub.retryTimer !== undefined) clearTimeout(sub.retryTimer);
      sub.retryTimer = undefined;
    }
  }

  closeAll(error: Error): void {
    for (const sub of this.all) sub.end(error);
    this.all.clear();
    this.byRequest.clear();
  }

  /**
   * Routes `objs`, `subok` and `err` answers of sub/sync requests, and `err` frames without
   * an id that name a subscribed prefix (a failed heartbeat entry); false when not ours.
   */
  dispatch(frame: ServerFrame): boolean {
    if (frame.t !== 'objs' && frame.t !== 'subok' && frame.t !== 'err') return false;
    if (frame.id === undefined) return frame.t === 'err' && this.refusedPrefix(frame);
    const route = this.byRequest.get(frame.id);
    if (!route) return false;
    const { sub, kind } = route;
    if (frame.t === 'objs') {
      for (const bytes of frame.objs) this.feed(sub, bytes);
    } else if (frame.t === 'subok') {
      if (kind === 'sub') sub.caughtUp();
      else {
        this.byRequest.delete(frame.id);
        sub.syncId = undefined;
        sub.syncUnserved = sub.syncAsked;
      }
      if (frame.gap) sub.gap(frame.gap.missing);
    } else {
      this.refused(sub, kind, frame);
    }
    return true;
  }

  /** A live object: every subscription on this socket whose prefix holds it. */
  live(frame: ServerFrameOf<'obj'>): void {
    const obj = this.decode(frame.obj);
    if (!obj) return;
    for (const sub of this.all) if (sub.requestId !== undefined) sub.accept(obj);
  }

  /** Our own acknowledged object: the server does not echo it to the connection that sent it. */
  own(obj: MichatObject): void {
    for (const sub of this.all) sub.accept(obj);
  }

  /** Heartbeat entries: the digest of every caught-up subscription (same prefix and digest once). */
  watchList(): Watch[] {
    const seen = new Set<string>();
    const out: Watch[] = [];
    for (const sub of this.all) {
      if (!sub.live) continue;
      const digest = sub.vector.digest();
      const key = `${sub.key}/${sub.prefix.bits}/${digest}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ prefix: sub.prefix.name, bits: sub.prefix.bits, digest });
    }
    return out;
  }

  /**
   * The server holds something else under a watched prefix: fetch what we lack. What a
   * completed sync asked for and the server claims again unchanged, it holds but does not
   * serve (expired objects): adopted as held, or every heartbeat would ask again.
   */
  vec(frame: ServerFrameOf<'vec'>): void {
    for (const sub of this.all) {
      if (!sub.live || sub.prefix.bits !== frame.bits || !bytesEqual(sub.prefix.name, frame.prefix)) continue;
      if (sub.gapPending) {
        sub.skipTo(frame.vector);
        continue;
      }
      if (sub.syncId !== undefined) continue;
      const lacking = sub.lacking(frame.vector);
      if (!lacking) continue;
      if (lacking === sub.syncUnserved) {
        sub.skipTo(frame.vector);
        sub.syncUnserved = undefined;
        continue;
      }
      sub.syncAsked = lacking;
      this.sync(sub);
    }
  }

  private subscribe(sub: SubscriptionState): void {
    if (sub.closed) return;
    const id = this.deps.nextId();
    const since = sub.since();
    const frame: ClientFrame = { t: 'sub', id, prefix: sub.prefix.name, bits: sub.prefix.bits, ...(since.length ? { since } : {}) };
    if (!this.deps.send(frame)) return; // subscribed again when a socket opens
    sub.requestId = id;
    sub.live = false;
    this.byRequest.set(id, { sub, kind: 'sub' });
  }

  private resubscribe(sub: SubscriptionState): void {
    this.forgetRequests(sub);
    sub.requestId = undefined;
    this.subscribe(sub);
  }

  private sync(sub: SubscriptionState): void {
    const id = this.deps.nextId();
    if (!this.deps.send({ t: 'sync', id, prefix: sub.prefix.name, bits: sub.prefix.bits, since: sub.since() })) return;
    sub.syncId = id;
    this.byRequest.set(id, { sub, kind: 'sync' });
  }

  private refused(sub: SubscriptionState, kind: 'sub' | 'sync', frame: ServerFrameOf<'err'>): void {
    const error = subscriptionError(sub, frame);
    if (frame.id !== undefined) this.byRequest.delete(frame.id);
    if (kind === 'sync') {
      sub.syncId = undefined; // the next heartbeat asks again
      if (endsSubscription(error)) this.drop(sub, error);
      if (!error.retryable) this.deps.onError(error);
      return;
    }
    if (!error.retryable) {
      this.drop(sub, error);
      this.deps.onError(error);
      return;
    }
    // The server may already have registered the live half of this sub; drop it before retrying.
    this.unsubscribeOnServer(sub);
    sub.retryTimer = setTimeout(() => {
      sub.retryTimer = undefined;
      if (this.all.has(sub) && sub.requestId === undefined) this.subscribe(sub);
    }, frame.retryAfterMs ?? backoffDelay(1));
  }

  /**
   * An `err` without an id naming a prefix: a heartbeat watch entry failed. Every
   * subscription to exactly that prefix hears of it; Forbidden or NotFound (the user left the
   * channel, or it is gone) ends them, and the server has already stopped their live half.
   */
  private refusedPrefix(frame: ServerFrameOf<'err'>): boolean {
    const { prefix, bits } = frame;
    if (prefix === undefined || bits === undefined) return false;
    const named = [...this.all].filter((sub) => sub.prefix.bits === bits && bytesEqual(sub.prefix.name, prefix));
    if (!named.length) return false;
    const error = subscriptionError(named[0]!, frame);
    if (endsSubscription(error)) for (const sub of named) this.drop(sub, error);
    this.deps.onError(error);
    return true;
  }

  /** Ends a subscription the server refused for good (no unsub: the server holds none). */
  private drop(sub: SubscriptionState, error: MichatError): void {
    this.all.delete(sub);
    this.forgetRequests(sub);
    sub.requestId = undefined;
    sub.fail(error);
  }

  /**
   * Ends the sub on the server. The server stops every subscription of this connection to
   * the same prefix on one unsub, so the others of that channel subscribe again (their
   * vectors keep that cheap).
   */
  private unsubscribeOnServer(sub: SubscriptionState): void {
    if (sub.requestId === undefined) return;
    this.deps.send({ t: 'unsub', id: this.deps.nextId(), sub: sub.requestId });
    sub.requestId = undefined;
    for (const other of this.all) if (other !== sub && other.requestId !== undefined && samePrefix(other, sub)) this.resubscribe(other);
  }

  private forgetRequests(sub: SubscriptionState): void {
    for (const [id, route] of this.byRequest) if (route.sub === sub) this.byRequest.delete(id);
    sub.syncId = undefined;
  }

  private feed(sub: SubscriptionState, bytes: Uint8Array): void {
    const obj = this.decode(bytes);
    if (obj) sub.accept(obj);
  }

  private decode(bytes: Uint8Array): MichatObject | undefined {
    try {
      return decodeObject(bytes);
    } catch (e) {
      this.deps.onError(e as Error);
      return undefined;
    }
  }
}

/** The server's error, saying which subscription it concerns. */
function subscriptionError(sub: SubscriptionState, frame: ServerFrameOf<'err'>): MichatError {
  return new MichatError(frame.kind, `${frame.msg} (subscription to ${sub.key}/${sub.prefix.bits})`, frame.retryAfterMs);
}

/** Kinds that mean the subscription can never work again (access gone, channel gone). */
function endsSubscription(error: MichatError): boolean {
  return error.kind === 'Forbidden' || error.kind === 'NotFound';
}

function samePrefix(a: SubscriptionState, b: SubscriptionState): boolean {
  return a.prefix.bits === b.prefix.bits && bytesEqual(a.prefix.name, b.prefix.name);
}
