import {
  MichatError,
  bytesEqual,
  encodeObject,
  isGroupLogName,
  nameDevice,
  nameSeq,
  objectHeader,
  toHex,
  type MichatObject,
  type Prefix,
} from '@michat/protocol';
import type { LocalStore } from '../store/local-store.ts';
import { fromBase64, toBase64 } from '../store/base64.ts';
import type { DeviceKeys } from './device-keys.ts';
import type { DeviceKey, KeyApi } from './key-api.ts';
import { decodeLogEntry } from './log-entry.ts';
import { logSlot } from './log-writer.ts';
import {
  applyCommit,
  commitChanges,
  decodeState,
  encodeState,
  epochAuthenticatorOf,
  epochOf,
  groupInfoMembers,
  groupInfoOf,
  isRemoved,
  joinExternal,
  joinFromWelcome,
  ownLeafUnmerged,
  membersOf,
  newGroup,
  readKeyPackage,
  refusedOnJoin,
  welcomeRefs,
  type ClientState,
  type KeyPackage,
  type MemberId,
} from './mls.ts';
import { planMembership } from './membership-plan.ts';
import { EpochKeys, readHistoryBundle, type StoredKeys } from './epoch-keys.ts';
import { openPayload, sealPayload } from './sealed-payload.ts';
import type { ClientConfig } from 'ts-mls';

/** What a reader sees of one object's payload. */
export type Opened =
  | { state: 'encrypted'; payload: Uint8Array }
  | { state: 'pending' }
  | { state: 'failed'; reason: string }
  /** Sealed by another device than the one its name carries: never shown. */
  | { state: 'forged' }
  /** Keys a member shared (history): not a message. */
  | { state: 'control' };

export interface ChannelGroupDeps {
  channel: Prefix;
  channelKey: string;
  store: LocalStore;
  keys: DeviceKeys;
  api: KeyApi;
  config: ClientConfig;
  me(): MemberId;
  now(): number;
  /** Queues an application payload of this device in the channel, sealed (history keys for newcomers). */
  share(payload: Uint8Array): Promise<unknown>;
  /** Publishes a log object; resolves on ack, rejects with the server's MichatError (Conflict: the epoch was taken). */
  publish(bytes: Uint8Array): Promise<{ dup: boolean }>;
  /** These objects' opened payloads changed (hex names). */
  onOpened(names: string[]): void;
  onError(error: Error): void;
}

interface StoredGroup {
  state: string;
  joinedEpoch: number;
  /** Epoch keys and device keys this device holds for the channel. */
  keys?: StoredKeys;
  /** Changes with every save: another tab (or client) on this store saved since we read. */
  version?: string;
}

/** Members (by device id among those already in) who may share history keys with newcomers, one turn each. */
const MAX_SHARERS = 8;
const SHARE_TURN_MS = 1_000;
/** How long a device not in the group waits (for a Welcome already on its way) before joining by itself. */
const EXTERNAL_JOIN_DELAY_MS = 200;
/** When devices to add had no KeyPackage yet, look again after this. */
const PARTIAL_RETRY_MS = 1_500;
/** Longest a device waits before committing a membership change others may commit first. */
const MAX_COMMIT_DELAY_MS = 3_000;

/**
 * One channel's MLS group on this device: joins it (Welcome) or creates it, follows its log
 * (the Commit of epoch n is log object n + 1, exactly one per epoch), commits what the
 * directory changed (adds and removes), seals this device's messages and opens the others'.
 * Every step runs in one queue, so the group state is never used by two steps at once.
 */
export class ChannelGroup {
  private readonly deps: ChannelGroupDeps;
  private state: ClientState | undefined;
  private joinedEpoch = 0;
  /** Version of the stored state this client holds (undefined: none read yet). */
  private version: string | undefined;
  private epochKeys = new EpochKeys();
  /** Newest epoch a history bundle was sealed in (seen or sent): newcomers before it have the keys. */
  private bundleSeenAt = -1;
  /** Member devices when the state was last saved or read: who is new after a Commit. */
  private lastMembers: Set<number> | undefined;
  private loaded: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();
  /** Log objects not applied yet, by seq. */
  private readonly log = new Map<number, MichatObject>();
  /** Highest log seq known to exist (0: none). */
  private logHead = 0;
  private logSynced = false;
  /** Application messages waiting for an epoch this device has not reached. */
  private readonly waiting = new Map<string, MichatObject>();
  private readonly opened = new Map<string, Opened>();
  private readyWaiters: Array<() => void> = [];
  /** A comparison with the directory finished since the group was loaded or joined. */
  private reconciled = false;
  private reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  private externalTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(deps: ChannelGroupDeps) {
    this.deps = deps;
    this.loaded = this.serial(async () => undefined); // refresh() reads the stored group
  }

  get epoch(): number | undefined {
    return this.state && epochOf(this.state);
  }

  /** The epoch authenticator (hex): two devices at one epoch with the same value share its keys (no fork). */
  get epochAuthenticator(): string | undefined {
    return this.state && epochAuthenticatorOf(this.state);
  }

  /** The epoch this device last joined the group at (it reads what was sealed from there on). */
  get joinEpoch(): number | undefined {
    return this.state && this.joinedEpoch;
  }

  get members(): MemberId[] {
    return this.state ? membersOf(this.state).map(({ userId, deviceId }) => ({ userId, deviceId })) : [];
  }

  /** What is known of a payload now (undefined: not asked yet). */
  peek(hex: string): Opened | undefined {
    return this.opened.get(hex);
  }

  /** A log object (any order, any number of times). */
  addLog(obj: MichatObject): void {
    const seq = nameSeq(obj.name);
    this.logHead = Math.max(this.logHead, seq);
    if (this.state && seq <= epochOf(this.state)) return;
    this.log.set(seq, obj);
    void this.serial(() => this.advance());
  }

  /** The log's catch-up is complete: the group is created now if nobody has. */
  logReady(): void {
    this.logSynced = true;
    // serial() reports a failure through onError; the chain must not leave it unhandled too.
    this.serial(() => this.advance())
      .catch(() => undefined)
      .finally(() => this.settle_());
  }

  private settle_: () => void = () => undefined;
  /** Resolves once the log's catch-up was applied (this device joined, created, or waits to be added). */
  readonly settled: Promise<void> = new Promise((resolve) => (this.settle_ = resolve));

  /** Opens an application message; the result also shows in `peek` and through `onOpened`. */
  async open(obj: MichatObject): Promise<Opened> {
    const hex = toHex(obj.name);
    const known = this.opened.get(hex);
    if (known && known.state !== 'pending') return known;
    // Opened before (here or in another tab): no lock needed.
    const cached = await this.deps.store.getRecord<string>(this.plainKey(hex));
    if (cached !== undefined) return this.settle(hex, fromCache(cached));
    return this.serial(() => this.openNow(obj));
  }

  /** Resolves once this device is in the group and has compared it with the directory. */
  memberReady(): Promise<void> {
    return this.loaded.then(() => this.untilMember());
  }

  private plainKey(hex: string): string {
    return `e2ee/plain/${this.deps.channelKey}/${hex}`;
  }

  /**
   * Seals a payload for the object `obj` describes, with the current epoch's key, signed by
   * this device; waits until this device is in the group and has compared it with the directory.
   */
  async seal(obj: MichatObject, plain: Uint8Array): Promise<MichatObject> {
    await this.loaded;
    await this.untilMember();
    return this.serial(async () => {
      const epoch = epochOf(this.state!);
      const env = { name: obj.name, created: obj.created, keyEpoch: epoch + 1, ...(obj.expires !== undefined ? { expires: obj.expires } : {}), ...(obj.threadRoot ? { threadRoot: obj.threadRoot } : {}) };
      // The envelope with an empty payload: its bytes are the authenticated data.
      const header = objectHeader(encodeObject(env, new Uint8Array(0)));
      const key = this.epochKeys.epochKey(epoch) ?? (await this.noteKeys());
      const sealed = await sealPayload(key, header, plain, (await this.deps.keys.identity()).signKey);
      const out = encodeObject(env, sealed);
      await this.remember(toHex(out.name), { state: 'encrypted', payload: plain });
      return out;
    });
  }

  /** Shares the keys of every epoch this device knows with the current members (newcomers read history). */
  shareHistory(): void {
    if (this.state) this.bundleSeenAt = Math.max(this.bundleSeenAt, epochOf(this.state));
    const bundle = new TextEncoder().encode(JSON.stringify(this.epochKeys.bundle()));
    this.deps.share(bundle).catch((e: unknown) => this.deps.onError(e as Error));
  }

  /** Looks at the directory now and commits what changed (also runs by itself after each epoch). */
  reconcileSoon(delayMs = 0): void {
    if (this.closed) return;
    if (this.reconcileTimer !== undefined) clearTimeout(this.reconcileTimer);
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = undefined;
      void this.serial(() => this.reconcile());
    }, delayMs);
  }

  close(): void {
    this.closed = true;
    if (this.reconcileTimer !== undefined) clearTimeout(this.reconcileTimer);
    if (this.externalTimer !== undefined) clearTimeout(this.externalTimer);
  }

  // ---- internals ------------------------------------------------------------------------

  /**
   * Runs `fn` alone: after every earlier step of this client, and under the store's lock for
   * this channel's group, with the state another tab may have saved meanwhile. So two tabs
   * never seal from the same ratchet position (no key is ever used twice).
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() =>
      this.deps.store.exclusive(`e2ee-group-${this.deps.channelKey}`, async () => {
        await this.refresh();
        return fn();
      }),
    );
    this.queue = run.catch((e: unknown) => this.deps.onError(e as Error));
    return run;
  }

  private storeKey(): string {
    return `e2ee/group/${this.deps.me().deviceId}/${this.deps.channelKey}`;
  }

  /** Takes the stored state when another tab saved one since this client last read or wrote it. */
  private async refresh(): Promise<void> {
    const stored = await this.deps.store.getRecord<StoredGroup>(this.storeKey());
    if (!stored || (this.version !== undefined && stored.version === this.version)) return;
    this.state = decodeState(fromBase64(stored.state), this.deps.config);
    this.joinedEpoch = stored.joinedEpoch;
    this.version = stored.version ?? '';
    this.epochKeys = EpochKeys.from(stored.keys);
    this.lastMembers = new Set(membersOf(this.state).map((m) => m.deviceId));
    for (const seq of [...this.log.keys()]) if (seq <= epochOf(this.state)) this.log.delete(seq);
  }

  /** Notes the current epoch's key and members; returns the key. */
  private async noteKeys(): Promise<Uint8Array> {
    await this.epochKeys.note(this.state!);
    return this.epochKeys.epochKey(epochOf(this.state!))!;
  }

  private async save(): Promise<void> {
    await this.noteKeys();
    this.shareIfNewcomers();
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    const version = toHex(bytes);
    await this.deps.store.setRecord(this.storeKey(), { state: toBase64(encodeState(this.state!)), joinedEpoch: this.joinedEpoch, version, keys: this.epochKeys.toStored() } satisfies StoredGroup);
    this.version = version;
  }

  /**
   * Devices joined since the last save: the member with the lowest device id among those
   * already in shares the epoch keys it holds, so they read the channel's history too.
   */
  private shareIfNewcomers(): void {
    const now = new Set(membersOf(this.state!).map((m) => m.deviceId));
    const before = this.lastMembers;
    this.lastMembers = now;
    if (!before || ![...now].some((d) => !before.has(d))) return;
    // Members already in take turns by device id; whoever finds a bundle sealed since does not repeat it.
    const rank = [...before].filter((d) => now.has(d)).sort((a, b) => a - b).indexOf(this.deps.me().deviceId);
    if (rank < 0 || rank >= MAX_SHARERS) return;
    const epoch = epochOf(this.state!);
    setTimeout(() => {
      if (!this.closed && this.bundleSeenAt < epoch) this.shareHistory();
    }, rank * SHARE_TURN_MS);
  }

  private async remember(hex: string, opened: Opened): Promise<void> {
    this.opened.set(hex, opened.state === 'encrypted' && readHistoryBundle(opened.payload) ? { state: 'control' } : opened);
    if (opened.state === 'encrypted') await this.deps.store.setRecord(this.plainKey(hex), toBase64(opened.payload));
  }

  /**
   * Until this device is in the group and has compared it with the directory once: a message
   * sealed before the group holds every member device that could be added would stay
   * unreadable to them for good.
   */
  private untilMember(): Promise<void> {
    if (this.state && this.reconciled) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private release(): void {
    this.reconciled = true;
    this.readyWaiters.splice(0).forEach((r) => r());
  }

  /** Joins, applies what the log holds in order, creates the group if the log is empty. */
  private async advance(): Promise<void> {
    await this.loaded;
    if (this.state && isRemoved(this.state)) this.forget();
    if (!this.state) await this.tryJoin();
    let moved = false;
    while (this.state) {
      const next = this.log.get(epochOf(this.state) + 1);
      if (!next) break;
      this.log.delete(epochOf(this.state) + 1);
      const entry = decodeLogEntry(next.payload);
      try {
        if (!entry) throw new Error('not a log entry');
        this.state = await applyCommit(this.state, entry.commit);
        moved = true;
        if (isRemoved(this.state)) {
          this.forget();
          moved = false;
          await this.tryJoin(); // re-added since (the user came back): the Welcome is further on in the log
        } else {
          await this.epochKeys.note(this.state); // each epoch's key, not only the last one saved: messages were sealed in each
        }
      } catch (e) {
        // A Commit this device cannot apply: the group is stuck here until it is reset.
        this.deps.onError(new MichatError('Internal', `channel ${this.deps.channelKey}: commit for epoch ${nameSeq(next.name)} refused: ${(e as Error).message}`));
        return;
      }
    }
    for (const seq of [...this.log.keys()]) if (this.state && seq <= epochOf(this.state)) this.log.delete(seq);
    if (moved) await this.save();
    if (!this.state && this.logSynced && this.logHead === 0) await this.create();
    else if (!this.state && this.logSynced) this.joinExternallySoon();
    if (this.state) {
      await this.retryWaiting();
      if (moved || this.logSynced) this.reconcileSoon(moved ? 0 : 50);
    }
  }

  private async tryJoin(): Promise<void> {
    const seqs = [...this.log.keys()].sort((a, b) => b - a);
    for (const seq of seqs) {
      const entry = decodeLogEntry(this.log.get(seq)!.payload);
      if (!entry?.welcome) continue;
      for (const ref of welcomeRefs(entry.welcome)) {
        const own = await this.deps.keys.keyPackage(ref);
        if (!own) continue;
        try {
          this.state = await joinFromWelcome(entry.welcome, own, this.deps.config);
        } catch (e) {
          this.deps.onError(new MichatError('Internal', `channel ${this.deps.channelKey}: could not join from the Welcome at epoch ${seq}: ${(e as Error).message}`));
          continue;
        }
        this.joinedEpoch = epochOf(this.state);
        await this.deps.keys.used(ref);
        await this.save();
        this.mergeOwnPathSoon();
        return;
      }
    }
  }

  /**
   * Nobody added this device (no member online, or it lost its keys): unless a Welcome comes
   * meanwhile, it joins by itself with an external Commit against the newest GroupInfo.
   */
  private joinExternallySoon(delayMs = EXTERNAL_JOIN_DELAY_MS): void {
    if (this.externalTimer !== undefined || this.closed) return;
    this.externalTimer = setTimeout(() => {
      this.externalTimer = undefined;
      void this.serial(() => this.joinExternally());
    }, delayMs);
  }

  private async joinExternally(): Promise<void> {
    if (this.state || this.closed) return;
    const newest = this.log.get(this.logHead);
    const groupInfo = newest && decodeLogEntry(newest.payload)?.groupInfo;
    if (!groupInfo) {
      this.deps.onError(new MichatError('Internal', `channel ${this.deps.channelKey}: the newest Commit (epoch ${this.logHead}) carries no GroupInfo: waiting to be added`));
      return;
    }
    const me = this.deps.me();
    const resync = groupInfoMembers(groupInfo).some((m) => m.deviceId === me.deviceId);
    const epoch = this.logHead;
    const slot = this.logSlot(epoch);
    let joined;
    try {
      joined = await joinExternal(groupInfo, await this.deps.keys.ownKeyPackage(), this.deps.config, slot.aad, resync);
    } catch (e) {
      // The tree did not validate (or changed meanwhile): try again once the log moves on.
      this.deps.onError(new MichatError('Internal', `channel ${this.deps.channelKey}: external join at epoch ${epoch} failed: ${(e as Error).message}; retrying`));
      return this.joinExternallySoon(1_500 + Math.random() * 1_500);
    }
    // Another Commit took the epoch: apply it (a Welcome for this device, maybe) and try again.
    if (!(await slot.publish({ commit: joined.commit, groupInfo: await groupInfoOf(joined.state) }))) return this.joinExternallySoon(300 + Math.random() * 600);
    this.state = joined.state;
    this.joinedEpoch = epoch + 1;
    this.logHead = Math.max(this.logHead, epoch + 1);
    for (const seq of [...this.log.keys()]) if (seq <= epoch + 1) this.log.delete(seq);
    await this.save();
    await this.retryWaiting();
    this.reconcileSoon(0);
  }

  /** Commits this device's own path when its leaf is still unmerged (see ownLeafUnmerged). */
  private mergeOwnPathSoon(): void {
    if (this.closed) return;
    setTimeout(() => void this.serial(() => this.mergeOwnPath()), 100 + Math.random() * 500);
  }

  private async mergeOwnPath(): Promise<void> {
    if (!this.state || this.closed || !ownLeafUnmerged(this.state)) return;
    const epoch = epochOf(this.state);
    const slot = this.logSlot(epoch);
    const out = await commitChanges(this.state, { add: [], remove: [] }, slot.aad);
    if (!(await slot.publish({ commit: out.commit, groupInfo: await groupInfoOf(out.state) }))) return this.mergeOwnPathSoon(); // look again after the winner
    this.state = out.state;
    this.logHead = Math.max(this.logHead, epoch + 1);
    await this.save();
  }

  /** Nobody made the group yet: this device does, and claims epoch 1 (or learns it lost). */
  private async create(): Promise<void> {
    const own = await this.deps.keys.ownKeyPackage();
    const groupId = new Uint8Array(16);
    crypto.getRandomValues(groupId);
    const state = await newGroup(groupId, own, this.deps.config);
    const outcome = await this.commit(state, await this.deps.api.channelDevices(channelIdOf(this.deps.channelKey)));
    if (outcome === 'lost') return; // another device made it first: its Welcome will bring this one in
    this.joinedEpoch = 0;
    await this.save();
  }

  /**
   * Commits the changes the directory asks for: `lost` when another Commit took the epoch,
   * `partial` when devices it should add had no KeyPackage to claim yet.
   */
  private async commit(state: ClientState, roster: DeviceKey[], heal = false): Promise<'done' | 'partial' | 'lost'> {
    const plan = planMembership(membersOf(state), roster, this.deps.me().deviceId);
    const claimed = plan.add.length ? await this.deps.api.claim(plan.add.map((d) => d.deviceId)) : [];
    const add: KeyPackage[] = [];
    for (const c of claimed) {
      const kp = readKeyPackage(c.keyPackage);
      const want = plan.add.find((d) => d.deviceId === c.deviceId);
      // The server hands KeyPackages out; only one signed by the device's registered key counts.
      if (kp && want && bytesEqual(kp.leafNode.signaturePublicKey, want.signatureKey!) && this.credentialMatches(kp, want)) add.push(kp);
    }
    const outcome = add.length < plan.add.length ? 'partial' : 'done';
    if (!add.length && !plan.remove.length && epochOf(state) > 0 && !heal) return outcome;
    const epoch = epochOf(state);
    const slot = this.logSlot(epoch);
    const out = await commitChanges(state, { add, remove: plan.remove }, slot.aad);
    if (!(await slot.publish({ commit: out.commit, ...(out.welcome ? { welcome: out.welcome } : {}), groupInfo: await groupInfoOf(out.state) }))) return 'lost';
    this.state = out.state;
    this.logHead = Math.max(this.logHead, epoch + 1);
    await this.save();
    return outcome;
  }

  /** Where the Commit for `epoch` → `epoch + 1` goes. */
  private logSlot(epoch: number) {
    return logSlot(this.deps.channel, epoch, this.deps.now(), (bytes) => this.deps.publish(bytes));
  }

  private credentialMatches(kp: KeyPackage, want: DeviceKey): boolean {
    const m = membersOfKeyPackage(kp);
    return m !== undefined && m.userId === want.userId && m.deviceId === want.deviceId;
  }

  private async reconcile(): Promise<void> {
    if (!this.state || this.closed) return;
    let outcome: 'done' | 'partial' | 'lost' | 'moved' = 'done';
    try {
      outcome = await this.reconcileOnce();
    } finally {
      // Offline or refused: the group as it is still seals (the next pass catches up).
      if (outcome !== 'lost' && outcome !== 'moved' && this.state) this.release();
    }
  }

  private async reconcileOnce(): Promise<'done' | 'partial' | 'lost' | 'moved'> {
    if (!this.state) return 'done';
    const roster = await this.deps.api.channelDevices(channelIdOf(this.deps.channelKey));
    const plan = planMembership(membersOf(this.state), roster, this.deps.me().deviceId);
    // Nothing to change, but devices added cannot join this tree (ts-mls 1.6): a member rewrites its path.
    const heal = !plan.add.length && !plan.remove.length && refusedOnJoin(this.state);
    if (!plan.add.length && !plan.remove.length && !heal) return 'done';
    // Members take turns by leaf: the first commits at once, the others only if it did not.
    // Heals start one member further each epoch, so each rewrites another path.
    const epoch = epochOf(this.state);
    const turns = membersOf(this.state)
      .map((m) => m.deviceId)
      .filter((d) => roster.some((r) => r.deviceId === d))
      .sort((a, b) => a - b);
    const first = heal ? epoch % turns.length : 0;
    const rank = [...turns.slice(first), ...turns.slice(0, first)].indexOf(this.deps.me().deviceId);
    if (rank > 0) {
      await sleep(Math.min(MAX_COMMIT_DELAY_MS, rank * 700));
      await this.advanceInline();
      if (!this.state || epochOf(this.state) !== epoch) {
        this.reconcileSoon(0);
        return 'moved';
      }
    }
    const outcome = await this.commit(this.state, roster, heal);
    // Lost: look again once the winner is applied; partial: the missing devices may publish KeyPackages soon.
    if (outcome === 'lost') this.reconcileSoon(300);
    else if (outcome === 'partial') this.reconcileSoon(PARTIAL_RETRY_MS);
    else if (epochOf(this.state) !== epoch) this.reconcileSoon(0);
    return outcome;
  }

  /** Applies log objects that arrived meanwhile (inside the queue). */
  private async advanceInline(): Promise<void> {
    while (this.state) {
      const next = this.log.get(epochOf(this.state) + 1);
      const entry = next && decodeLogEntry(next.payload);
      if (!entry) return;
      this.log.delete(epochOf(this.state) + 1);
      this.state = await applyCommit(this.state, entry.commit);
      if (isRemoved(this.state)) return this.forget();
      await this.save();
    }
  }

  /**
   * A Commit removed this device (its user left the channel, say): its state is of no use any
   * more. It comes back by a Welcome, or by an external join (which the server refuses while
   * the user is not a member).
   */
  private forget(): void {
    this.state = undefined;
    this.reconciled = false;
  }

  private async openNow(obj: MichatObject): Promise<Opened> {
    await this.loaded;
    const hex = toHex(obj.name);
    const known = this.opened.get(hex);
    if (known && known.state !== 'pending') return known;
    const cached = await this.deps.store.getRecord<string>(this.plainKey(hex));
    if (cached !== undefined) return this.settle(hex, fromCache(cached));
    const epoch = obj.keyEpoch - 1;
    const key = this.epochKeys.epochKey(epoch);
    if (!key) {
      // Later: the commits bring it. Earlier: a member may share it (history keys).
      this.waiting.set(hex, obj);
      if (!this.state || epoch > epochOf(this.state)) return this.pending(hex);
      return this.failed(hex, 'sent before this device joined the channel, and no member has shared that key with it yet', true);
    }
    const senderKey = this.epochKeys.leafKey(nameDevice(obj.name));
    if (!senderKey) {
      this.waiting.set(hex, obj);
      return this.failed(hex, 'its sender’s device was never in the group as this device knows it', true);
    }
    const result = await openPayload(key, objectHeader(obj), obj.payload, senderKey);
    if (!result.ok) {
      if (result.reason !== 'bad-signature') return this.failed(hex, result.reason === 'not-sealed' ? 'not a sealed payload' : 'it does not open with its epoch’s key (changed in transit?)');
      this.deps.onError(new MichatError('Forbidden', `channel ${this.deps.channelKey}: ${hex} carries device ${nameDevice(obj.name)} but that device did not sign it: dropped`));
      return this.settle(hex, { state: 'forged' });
    }
    const bundle = readHistoryBundle(result.plain);
    if (bundle) {
      this.bundleSeenAt = Math.max(this.bundleSeenAt, epoch);
      if (this.epochKeys.absorb(bundle) && this.state) {
        await this.save();
        queueMicrotask(() => void this.serial(() => this.retryWaiting()));
      }
      return this.settle(hex, { state: 'control' });
    }
    await this.remember(hex, { state: 'encrypted', payload: result.plain });
    return this.opened.get(hex)!;
  }

  private pending(hex: string): Opened {
    this.opened.set(hex, { state: 'pending' });
    return { state: 'pending' };
  }

  /** Failed for now; `retry`: kept waiting, since keys shared later may open it. */
  private failed(hex: string, reason: string, retry = false): Opened {
    const opened: Opened = { state: 'failed', reason };
    this.opened.set(hex, opened);
    if (!retry) this.waiting.delete(hex);
    return opened;
  }

  private settle(hex: string, opened: Opened): Opened {
    this.opened.set(hex, opened);
    this.waiting.delete(hex);
    return opened;
  }

  private async retryWaiting(): Promise<void> {
    if (!this.waiting.size) return;
    const objs = [...this.waiting.values()].sort((a, b) => a.keyEpoch - b.keyEpoch || nameSeq(a.name) - nameSeq(b.name));
    this.waiting.clear();
    const changed: string[] = [];
    for (const obj of objs) {
      const hex = toHex(obj.name);
      const before = this.opened.get(hex);
      this.opened.delete(hex);
      const opened = await this.openNow(obj);
      if (opened.state !== before?.state || opened.state !== 'failed') changed.push(hex);
    }
    if (changed.length) this.deps.onOpened(changed);
  }
}

/** A payload opened before: a message, or keys a member shared (this device's own bundles too). */
function fromCache(b64: string): Opened {
  const payload = fromBase64(b64);
  return readHistoryBundle(payload) ? { state: 'control' } : { state: 'encrypted', payload };
}

function membersOfKeyPackage(kp: KeyPackage): MemberId | undefined {
  const m = /^michat:(\d{1,15}):(\d{1,9})$/.exec(kp.leafNode.credential.credentialType === 'basic' ? new TextDecoder().decode(kp.leafNode.credential.identity) : '');
  return m ? { userId: Number(m[1]), deviceId: Number(m[2]) } : undefined;
}

/** A channel's id: the 24-bit channel field of its key (digits 11–16 of the 18). */
export function channelIdOf(channelKey: string): number {
  return parseInt(channelKey.slice(12, 18), 16);
}


function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { isGroupLogName };
