/**
 * End to end for one channel of N devices: a new device joins by itself (external Commit, as
 * the SDK's ChannelGroup.joinExternally does) and reads one sealed message. The group of
 * N − 1 devices is built quickly, as bench/mls does: the first device makes it and adds the
 * N − 2 others in one Commit (their leaves only; they never run). Everything else goes through
 * the SDK's own functions (packages/client/src/e2ee/: mls.ts, log-entry.ts, epoch-keys.ts,
 * sealed-payload.ts), in one process, without a server: no network, no store writes, and the
 * directory (the authentication service's keys) is a map already filled.
 *
 * Two joins are timed: the N-th device into that tree, in which no Commit has set a parent
 * node yet (Adds carry no path), and then the (N + 1)-th, after the N-th's external Commit (a
 * path Commit) set the parent nodes on its path: the case bench:mls found 20–50× slower for
 * Welcome joins at 1,000 members. A channel whose devices came one at a time has many such nodes.
 */
import { encodeObject, groupLogName, makeName, nameFields, objectHeader, type Prefix } from '@michat/protocol';
import { EpochKeys } from '../../packages/client/src/e2ee/epoch-keys.ts';
import { decodeLogEntry, encodeLogEntry } from '../../packages/client/src/e2ee/log-entry.ts';
import {
  applyCommit,
  clientConfig,
  commitChanges,
  encodeState,
  epochKeyOf,
  epochOf,
  groupInfoMembers,
  groupInfoOf,
  joinExternal,
  newGroup,
  newKeyPackage,
  newSignatureKeyPair,
  type NewKeyPackage,
  type SignatureKeyPair,
} from '../../packages/client/src/e2ee/mls.ts';
import { openPayload, sealPayload } from '../../packages/client/src/e2ee/sealed-payload.ts';
import { toBase64 } from '../../packages/client/src/store/base64.ts';

/** michat's object limit (MAX_OBJECT_BYTES): a group-log entry must fit in one object. */
const OBJECT_LIMIT = 64 * 1024;

export interface JoinStep {
  /** Members once this device is in. */
  members: number;
  /** The log entry the device joins from (Commit, Welcome if any, GroupInfo), bytes. */
  entryBytes: number;
  /** Reading it: decodeLogEntry and groupInfoMembers (is an older leaf of this device in?), ms. */
  readEntryMs: number;
  /** joinExternal: the external Commit against the GroupInfo (tree checks inside), ms. */
  joinMs: number;
  /** The GroupInfo of the new epoch and the log entry it publishes (Commit + GroupInfo), ms. */
  groupInfoMs: number;
  /** What the device publishes: its log entry, bytes (over 65,536: refused as TooLarge). */
  publishedEntryBytes: number;
  /** Saving: the epoch key and leaf keys noted, the state encoded (base64, as the store keeps it), ms. */
  saveMs: number;
  /** The encoded group state, bytes. */
  stateBytes: number;
  /** An existing member applies the external Commit, ms (every one of them does). */
  memberAppliesMs: number;
  /** … and saves (epoch key, state encoded), ms. */
  memberSavesMs: number;
  /** That member seals a 100-byte text in the new epoch, ms. */
  sealMs: number;
  /** The newcomer opens it (sender's leaf key, AES-GCM, Ed25519), ms. */
  openMs: number;
  /** On the newcomer: read entry + join + GroupInfo + save + open, ms. */
  newcomerMs: number;
  /** The whole chain: newcomer's join, a member applies and seals, the newcomer opens, ms. */
  endToEndMs: number;
}

export interface JoinResult {
  runtime: string;
  /** N: members once the measured newcomer is in. */
  members: number;
  keyPackageMs: number;
  /** The first device's Commit adding N − 2 (Welcome, GroupInfo), ms, and its log entry's bytes. */
  buildMs: number;
  buildEntryBytes: number;
  /** The N-th device, into a tree with no parent node set. */
  first: JoinStep;
  /** The (N + 1)-th, after the N-th's path Commit. */
  second?: JoinStep;
  /** Why the second join is missing (time budget). */
  note?: string;
}

const enc = new TextEncoder();
const now = () => performance.now();

interface Device {
  id: { userId: number; deviceId: number };
  keys: SignatureKeyPair;
  kp: NewKeyPackage;
}

/**
 * Builds the group and times the N-th and the (N + 1)-th device joining and reading; `report`
 * gets the result after each join (a run stopped during the second keeps the first). The second
 * is skipped once `budgetMs` has passed since the start.
 */
export async function runJoin(n: number, runtime: string, o: { log?: (line: string) => void; report?: (r: JoinResult) => void; budgetMs?: number } = {}): Promise<JoinResult> {
  const log = o.log ?? (() => {});
  const budgetMs = o.budgetMs ?? Infinity;
  const t0 = now();
  // The directory: every device's registered signature key (the SDK asks the server once per user).
  const directory = new Map<number, Uint8Array>();
  const config = clientConfig(async (id, key) => {
    const known = directory.get(id.deviceId);
    return known === undefined || (known.length === key.length && known.every((v, i) => v === key[i]));
  });
  const device = async (i: number): Promise<Device> => {
    const id = { userId: 1000 + i, deviceId: i };
    const keys = await newSignatureKeyPair();
    directory.set(i, keys.publicKey);
    return { id, keys, kp: await newKeyPackage(id, keys) };
  };

  // N − 1 devices: the first makes the group and adds the other N − 2 in one Commit.
  let t = now();
  const first = await device(1);
  const others: Device[] = [];
  for (let i = 2; i <= n - 1; i++) others.push(await device(i));
  const keyPackageMs = (now() - t) / (n - 1);
  const channel: Prefix = { name: makeName({ kind: 1, org: 1, team: 1, channel: 1, device: 0, seq: 0 }), bits: 72 };
  t = now();
  let member = await newGroup(enc.encode('bench-channel'), first.kp, config);
  const built = await commitChanges(member, { add: others.map((d) => d.kp.publicPackage), remove: [] }, logHeader(channel, 1));
  member = built.state;
  let entry = encodeLogEntry({ commit: built.commit, ...(built.welcome ? { welcome: built.welcome } : {}), groupInfo: await groupInfoOf(member) });
  const buildMs = now() - t;
  const buildEntryBytes = entry.length;
  log(`join N=${n}: ${n - 1} devices' KeyPackages ${keyPackageMs.toFixed(2)} ms each; group of ${n - 1} built in ${buildMs.toFixed(0)} ms, log entry ${buildEntryBytes} B`);

  const step = async (newcomer: Device, members: number): Promise<JoinStep> => {
    const entryBytes = entry.length;
    // The newcomer, as ChannelGroup.joinExternally: the newest log entry's GroupInfo …
    let t1 = now();
    const logEntry = decodeLogEntry(entry);
    if (!logEntry?.groupInfo) throw new Error('the log entry has no GroupInfo');
    const resync = groupInfoMembers(logEntry.groupInfo).some((m) => m.deviceId === newcomer.id.deviceId);
    const readEntryMs = now() - t1;
    // … an external Commit for the next epoch (the log object's envelope is its AAD) …
    const epoch = epochOf(member);
    t1 = now();
    const joined = await joinExternal(logEntry.groupInfo, newcomer.kp, config, logHeader(channel, epoch + 1), resync);
    const joinMs = now() - t1;
    t1 = now();
    const published = encodeLogEntry({ commit: joined.commit, groupInfo: await groupInfoOf(joined.state) });
    const groupInfoMs = now() - t1;
    // … saved (ChannelGroup.save: keys noted, state encoded for the store).
    t1 = now();
    const newcomerKeys = new EpochKeys();
    await newcomerKeys.note(joined.state);
    const stateB64 = toBase64(encodeState(joined.state));
    JSON.stringify(newcomerKeys.toStored());
    const saveMs = now() - t1;

    // An existing member applies the Commit from the log, saves, and sends a text.
    t1 = now();
    member = await applyCommit(member, joined.commit);
    const memberAppliesMs = now() - t1;
    t1 = now();
    const memberKeys = new EpochKeys();
    await memberKeys.note(member);
    toBase64(encodeState(member));
    const memberSavesMs = now() - t1;
    t1 = now();
    const env = { name: makeName({ ...nameFields(channel.name), device: first.id.deviceId, seq: epoch + 1 }), created: Date.now(), keyEpoch: epochOf(member) + 1 };
    const header = objectHeader(encodeObject(env, new Uint8Array(0)));
    const key = await epochKeyOf(member);
    const text = enc.encode(JSON.stringify({ type: 'text', text: 'x'.repeat(73) }));
    const obj = encodeObject(env, await sealPayload(key, header, text, first.keys.signKey));
    const sealMs = now() - t1;

    // The newcomer opens it: its epoch's key, the sender's leaf key (ChannelGroup.openNow).
    t1 = now();
    const newcomerKey = newcomerKeys.epochKey(obj.keyEpoch - 1);
    const senderKey = newcomerKeys.leafKey(first.id.deviceId);
    if (!newcomerKey || !senderKey) throw new Error('the newcomer lacks the epoch key or the sender’s key');
    const opened = await openPayload(newcomerKey, objectHeader(obj), obj.payload, senderKey);
    const openMs = now() - t1;
    if (!opened.ok || opened.plain.length !== text.length) throw new Error(`the newcomer could not read: ${opened.ok ? 'other text' : opened.reason}`);

    entry = published;
    const newcomerMs = readEntryMs + joinMs + groupInfoMs + saveMs + openMs;
    return {
      members,
      entryBytes,
      readEntryMs,
      joinMs,
      groupInfoMs,
      publishedEntryBytes: published.length,
      saveMs,
      stateBytes: Math.round((stateB64.length * 3) / 4),
      memberAppliesMs,
      memberSavesMs,
      sealMs,
      openMs,
      newcomerMs,
      endToEndMs: newcomerMs + memberAppliesMs + memberSavesMs + sealMs,
    };
  };

  const describe = (s: JoinStep) =>
    `join ${s.joinMs.toFixed(0)} ms, newcomer in all ${s.newcomerMs.toFixed(0)} ms, a member applies ${s.memberAppliesMs.toFixed(0)} ms, end to end ${s.endToEndMs.toFixed(0)} ms; entry ${s.publishedEntryBytes} B${s.publishedEntryBytes > OBJECT_LIMIT ? ' (over 64 KiB)' : ''}`;
  const a = await step(await device(n), n);
  log(`join N=${n}: device ${n} into a tree with no parent node set: ${describe(a)}`);
  const result: JoinResult = { runtime, members: n, keyPackageMs, buildMs, buildEntryBytes, first: a };
  if (now() - t0 > budgetMs) {
    result.note = `the (N + 1)-th join was not run: ${((now() - t0) / 1000).toFixed(0)} s spent of a ${(budgetMs / 1000).toFixed(0)} s budget`;
    o.report?.(result);
    return result;
  }
  o.report?.({ ...result, note: 'stopped during the (N + 1)-th join' });
  const b = await step(await device(n + 1), n + 1);
  log(`join N=${n}: device ${n + 1} after that path Commit: ${describe(b)}`);
  result.second = b;
  o.report?.(result);
  return result;
}

/** The envelope of the log object that commits epoch `seq − 1` to `seq`: the Commit's AAD. */
function logHeader(channel: Prefix, seq: number): Uint8Array {
  return objectHeader(encodeObject({ name: groupLogName(channel, seq), created: Date.now(), keyEpoch: seq }, new Uint8Array(0)));
}
