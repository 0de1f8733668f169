import {
  DEVICE_BITS,
  MichatError,
  channelFromKey,
  channelKey,
  groupLogName,
  makePrefix,
  type MichatObject,
  type Prefix,
} from '@michat/protocol';
import type { LocalStore } from '../store/local-store.ts';
import type { SubscribeOptions, Subscription } from '../subscription.ts';
import { ChannelGroup, type Opened } from './channel-group.ts';
import { DeviceKeys } from './device-keys.ts';
import type { KeyApi } from './key-api.ts';
import { clientConfig, type MemberId } from './mls.ts';

export interface E2eeDeps {
  store: LocalStore;
  api: KeyApi;
  me(): MemberId;
  now(): number;
  publish(bytes: Uint8Array): Promise<{ dup: boolean }>;
  /** Queues a sealed application payload of this device in a channel (history keys). */
  share(channel: string, payload: Uint8Array): Promise<unknown>;
  /** A subscription to a prefix (the channel's group log: a 96-bit device stream). */
  subscribe(prefix: Prefix, handler: (obj: MichatObject) => void, options: SubscribeOptions): Subscription;
  onOpened(channel: string, names: string[]): void;
  onError(error: Error): void;
}

/** How often an active channel's group is compared with the directory (membership changes). */
export const RECONCILE_EVERY_MS = 10_000;

/**
 * End-to-end encryption for one client: the device's keys, and one MLS group per channel in
 * use, each following its group log. Channel views open payloads through it; the outbox seals
 * through it. Servers see envelopes and ciphertext only (docs/decisions/0009).
 */
export class E2ee {
  readonly keys: DeviceKeys;
  private readonly deps: E2eeDeps;
  /** `ended`: the server refused the log's subscription (the user left the channel) until membershipChanged() asks again. */
  private readonly groups = new Map<string, { group: ChannelGroup; sub: Subscription; timer: ReturnType<typeof setInterval>; ended: boolean }>();
  /** Registered signature keys by device, as the directory lists them. */
  private readonly deviceKeys = new Map<number, Uint8Array>();
  private readonly config;
  private published: Promise<void> | undefined;

  constructor(deps: E2eeDeps) {
    this.deps = deps;
    this.keys = new DeviceKeys({ store: deps.store, api: deps.api, me: deps.me });
    this.config = clientConfig((id, key) => this.validate(id, key));
  }

  /** Registers this device's key and fills its KeyPackage stock (once per client; retried on failure). */
  ready(): Promise<void> {
    this.published ??= this.keys.ensurePublished().catch((e: unknown) => {
      this.published = undefined;
      throw e;
    });
    return this.published;
  }

  /** The channel's group, following its log from now on. */
  group(channel: string): ChannelGroup {
    const known = this.groups.get(channel);
    if (known) return known.group;
    const prefix = channelPrefixOf(channel);
    const group = new ChannelGroup({
      channel: prefix,
      channelKey: channel,
      store: this.deps.store,
      keys: this.keys,
      api: this.deps.api,
      config: this.config,
      me: this.deps.me,
      now: this.deps.now,
      publish: (bytes) => this.deps.publish(bytes),
      share: (payload) => this.deps.share(channel, payload),
      onOpened: (names) => this.deps.onOpened(channel, names),
      onError: this.deps.onError,
    });
    const timer = setInterval(() => group.reconcileSoon(), RECONCILE_EVERY_MS);
    const held = { group, sub: this.follow(prefix, group, () => (held.ended = true)), timer, ended: false };
    this.groups.set(channel, held);
    return group;
  }

  /** Subscribes `group` to its channel's log; `onEnd` when the server refuses it for good. */
  private follow(prefix: Prefix, group: ChannelGroup, onEnd: () => void): Subscription {
    // Published keys first: whoever creates or changes the group may want this device's KeyPackage.
    const logPrefix = makePrefix(groupLogName(prefix, 0), DEVICE_BITS);
    const sub = this.deps.subscribe(logPrefix, (obj) => group.addLog(obj), {
      onError: (e) => {
        onEnd();
        this.deps.onError(e);
      },
    });
    void this.ready()
      .catch((e: unknown) => this.deps.onError(e as Error))
      .then(() => sub.ready)
      .then(
        () => group.logReady(),
        () => undefined,
      );
    return sub;
  }

  /** Opens a payload of `obj` (plaintext objects are not this engine's: see `Opened`). */
  open(obj: MichatObject): Promise<Opened> {
    return this.group(channelKey(obj.name)).open(obj);
  }

  /** Opens `obj` once its channel's log is caught up (at most `waitMs`): for one-shot readers such as the CLI. */
  async openSettled(obj: MichatObject, waitMs = 5_000): Promise<Opened> {
    const group = this.group(channelKey(obj.name));
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Caught up, and in the group (a new device joins by itself within a second or two).
    await Promise.race([group.settled.then(() => group.memberReady()), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    return group.open(obj);
  }

  /** Seals an outbox entry's payload for its channel's group. */
  seal(unsealed: MichatObject, plain: Uint8Array): Promise<MichatObject> {
    return this.group(channelKey(unsealed.name)).seal(unsealed, plain);
  }

  /** Directory changed (members, devices): every followed group looks again soon; a log refused before (the user left) is followed again (the user may be back). */
  membershipChanged(): void {
    for (const [channel, held] of this.groups) {
      if (held.ended) {
        held.ended = false;
        held.sub.unsubscribe();
        held.sub = this.follow(channelPrefixOf(channel), held.group, () => (held.ended = true));
      }
      held.group.reconcileSoon(0);
    }
  }

  close(): void {
    for (const { group, sub, timer } of this.groups.values()) {
      group.close();
      sub.unsubscribe();
      clearInterval(timer);
    }
    this.groups.clear();
  }

  /**
   * The authentication service MLS asks about every leaf: a device the directory lists must
   * hold the key it registered. A device it does not list (signed out since) is let in here and
   * removed by the next Commit, so one stale leaf never makes a whole group unreadable.
   */
  private async validate(id: MemberId, signatureKey: Uint8Array): Promise<boolean> {
    let known = this.deviceKeys.get(id.deviceId);
    if (!known) {
      try {
        for (const d of await this.deps.api.userDevices(id.userId)) if (d.signatureKey) this.deviceKeys.set(d.deviceId, d.signatureKey);
      } catch (e) {
        if (!(e instanceof MichatError) || e.kind !== 'NotFound') throw e;
      }
      known = this.deviceKeys.get(id.deviceId);
    }
    return known === undefined || (known.length === signatureKey.length && known.every((v, i) => v === signatureKey[i]));
  }
}

function channelPrefixOf(channel: string): Prefix {
  const prefix = channelFromKey(channel);
  if (!prefix) throw new MichatError('BadRequest', `"${channel}" is not a channel key`);
  return prefix;
}

export type { Opened };
