/**
 * The MLS scenario with ts-mls (pure TypeScript). Runs unchanged in Node and in the page
 * (bench/mls/page.ts): only WebCrypto and performance.now() are used.
 */
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  decodeGroupState,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processPrivateMessage,
  zeroOutUint8Array,
  type CiphersuiteImpl,
  type ClientState,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
  type Welcome,
} from 'ts-mls';
import { encodeGroupStateWithoutTree } from 'ts-mls/clientState.js';
import { PAYLOAD_BYTES, median, payload, sameBytes, timing, wireFormatName, type GroupSizeResult, type ScenarioOptions } from './types.ts';

/** RFC 9420's mandatory-to-implement suite, id 1. */
export const CIPHER_SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519' as const;

const enc = new TextEncoder();
const now = () => performance.now();

interface Member {
  publicPackage: KeyPackage;
  privatePackage: PrivateKeyPackage;
  /** The KeyPackage as an MLSMessage on the wire. */
  bytes: Uint8Array;
}

/**
 * Identities have the form of core-crypto's client ids (`uuid:device@domain`, 53 bytes here), so
 * both libraries' trees hold leaves of the same size.
 */
let deviceCounter = 1;
function identity(): Uint8Array {
  return enc.encode(`${crypto.randomUUID()}:${(deviceCounter++).toString(16).padStart(2, '0')}@bench.invalid`);
}

async function newMember(cs: CiphersuiteImpl): Promise<Member> {
  const kp = await generateKeyPackage({ credentialType: 'basic', identity: identity() }, defaultCapabilities(), defaultLifetime, [], cs);
  const bytes = encodeMlsMessage({ keyPackage: kp.publicPackage, wireformat: 'mls_key_package', version: 'mls10' });
  return { ...kp, bytes };
}

function decodeKeyPackage(bytes: Uint8Array): KeyPackage {
  const m = decodeMlsMessage(bytes, 0)?.[0];
  if (m?.wireformat !== 'mls_key_package') throw new Error('expected a KeyPackage');
  return m.keyPackage;
}

function decodeWelcome(bytes: Uint8Array): Welcome {
  const m = decodeMlsMessage(bytes, 0)?.[0];
  if (m?.wireformat !== 'mls_welcome') throw new Error('expected a Welcome');
  return m.welcome;
}

/** Receives a commit or an application message as bytes; returns the new state (and the plaintext, if any). */
async function receive(state: ClientState, bytes: Uint8Array, cs: CiphersuiteImpl): Promise<{ state: ClientState; message?: Uint8Array }> {
  const m = decodeMlsMessage(bytes, 0)?.[0];
  if (m?.wireformat !== 'mls_private_message') throw new Error(`expected a private message, got ${m?.wireformat}`);
  const r = await processPrivateMessage(state, m.privateMessage, emptyPskIndex, cs);
  r.consumed.forEach(zeroOutUint8Array);
  return r.kind === 'applicationMessage' ? { state: r.newState, message: r.message } : { state: r.newState };
}

async function commit(state: ClientState, cs: CiphersuiteImpl, proposals: Proposal[], withWelcome: boolean) {
  const r = await createCommit({ state, cipherSuite: cs }, { extraProposals: proposals, ratchetTreeExtension: withWelcome });
  r.consumed.forEach(zeroOutUint8Array);
  const commitBytes = encodeMlsMessage(r.commit);
  const welcomeBytes = r.welcome ? encodeMlsMessage({ welcome: r.welcome, wireformat: 'mls_welcome', version: 'mls10' }) : undefined;
  return { state: r.newState, commitBytes, welcomeBytes };
}

async function groupInfoBytes(state: ClientState, cs: CiphersuiteImpl): Promise<Uint8Array> {
  const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(state, [], cs);
  return encodeMlsMessage({ groupInfo, wireformat: 'mls_group_info', version: 'mls10' });
}

/**
 * A KeyPackage (TLS-serialized, without the MLSMessage header) for a member that is only added,
 * never joins: the core-crypto scenario uses these for its N − 2 passive members.
 */
export async function passiveKeyPackage(identity: Uint8Array): Promise<Uint8Array> {
  const cs = (suiteImpl ??= await getCiphersuiteImpl(getCiphersuiteFromName(CIPHER_SUITE)));
  const kp = await generateKeyPackage({ credentialType: 'basic', identity }, defaultCapabilities(), defaultLifetime, [], cs);
  return encodeMlsMessage({ keyPackage: kp.publicPackage, wireformat: 'mls_key_package', version: 'mls10' }).subarray(4);
}
let suiteImpl: CiphersuiteImpl | undefined;

async function encrypt(state: ClientState, plaintext: Uint8Array, cs: CiphersuiteImpl) {
  const r = await createApplicationMessage(state, plaintext, cs);
  r.consumed.forEach(zeroOutUint8Array);
  return { state: r.newState, bytes: encodeMlsMessage({ privateMessage: r.privateMessage, wireformat: 'mls_private_message', version: 'mls10' }) };
}

export async function runTsMls(o: ScenarioOptions, runtime: string): Promise<GroupSizeResult> {
  const log = o.log ?? (() => {});
  const t0 = now();
  const N = o.members;
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName(CIPHER_SUITE));
  const notes: string[] = [];

  // Every member's own KeyPackage, each with its own signature key.
  const tk = now();
  const creator = await newMember(cs);
  const others: Member[] = [];
  for (let i = 1; i < N; i++) others.push(await newMember(cs));
  const keyPackageMs = (now() - tk) / N;
  log(`ts-mls N=${N}: ${N} key packages, ${keyPackageMs.toFixed(2)} ms each`);

  // Build: one commit adding N − 1 members; the KeyPackages arrive as bytes.
  let tb = now();
  let a = await createGroup(enc.encode(`bench-group-${N}`), creator.publicPackage, creator.privatePackage, [], cs);
  const adds: Proposal[] = others.map((m) => ({ proposalType: 'add', add: { keyPackage: decodeKeyPackage(m.bytes) } }));
  const built = await commit(a, cs, adds, true);
  const buildMs = now() - tb;
  a = built.state;
  const buildGroupInfoBytes = (await groupInfoBytes(a, cs)).length;
  log(`ts-mls N=${N}: build ${buildMs.toFixed(0)} ms, commit ${built.commitBytes.length} B, welcome ${built.welcomeBytes!.length} B`);

  // B: the first member added joins from that Welcome; it is the "existing member" below.
  tb = now();
  const bMember = others[0]!;
  let b = await joinGroup(decodeWelcome(built.welcomeBytes!), bMember.publicPackage, bMember.privatePackage, emptyPskIndex, cs);
  const buildJoinMs = now() - tb;

  const removeLeaf = Math.max(2, N >> 1);
  const addMs: number[] = [], addProcess: number[] = [], join: number[] = [], firstRead: number[] = [], removeMs: number[] = [], removeProcess: number[] = [];
  let addCommitBytes = 0, addWelcomeBytes = 0, removeCommitBytes = 0, addGroupInfoBytes = 0;
  const groupInfoMs: number[] = [];
  for (let rep = 0; rep < o.repetitions; rep++) {
    const newcomer = await newMember(cs);
    // Add one member: commit + Welcome at the committer …
    let t = now();
    const added = await commit(a, cs, [{ proposalType: 'add', add: { keyPackage: decodeKeyPackage(newcomer.bytes) } }], true);
    addMs.push(now() - t);
    a = added.state;
    addCommitBytes = added.commitBytes.length;
    addWelcomeBytes = added.welcomeBytes!.length;
    t = now();
    addGroupInfoBytes = (await groupInfoBytes(a, cs)).length;
    groupInfoMs.push(now() - t);
    // … processed by an existing member …
    t = now();
    b = (await receive(b, added.commitBytes, cs)).state;
    addProcess.push(now() - t);
    // … the newcomer joins from the Welcome and reads the first message sent after the commit.
    const sent = await encrypt(a, payload(rep), cs);
    a = sent.state;
    t = now();
    let c = await joinGroup(decodeWelcome(added.welcomeBytes!), newcomer.publicPackage, newcomer.privatePackage, emptyPskIndex, cs);
    const tj = now();
    join.push(tj - t);
    const read = await receive(c, sent.bytes, cs);
    firstRead.push(now() - tj);
    c = read.state;
    if (!read.message || !sameBytes(read.message, payload(rep))) throw new Error('the newcomer read something else');
    b = (await receive(b, sent.bytes, cs)).state;
    // Remove one member from the middle of the tree.
    t = now();
    const removed = await commit(a, cs, [{ proposalType: 'remove', remove: { removed: removeLeaf } }], false);
    removeMs.push(now() - t);
    a = removed.state;
    removeCommitBytes = removed.commitBytes.length;
    t = now();
    b = (await receive(b, removed.commitBytes, cs)).state;
    removeProcess.push(now() - t);
    log(`ts-mls N=${N}: add ${addMs.at(-1)!.toFixed(1)} ms, process ${addProcess.at(-1)!.toFixed(1)} ms, join ${join.at(-1)!.toFixed(1)} ms, remove ${removeMs.at(-1)!.toFixed(1)} ms`);
  }

  const stateBytes = encodeGroupState(b).length;
  const stateBytesWithoutTree = encodeGroupStateWithoutTree(b).length;
  const stateBytesCurrentEpoch = encodeGroupState({ ...b, historicalReceiverData: new Map() }).length;
  const stateEncode: number[] = [], stateDecode: number[] = [];
  for (let i = 0; i < 5; i++) {
    let t = now();
    const bytes = encodeGroupState(b);
    stateEncode.push(now() - t);
    t = now();
    if (!decodeGroupState(bytes, 0)) throw new Error('encodeGroupState did not decode');
    stateDecode.push(now() - t);
  }

  // Application messages: A encrypts (bounded by count and time), B decrypts them in order.
  const cts: Uint8Array[] = [];
  let te = now();
  while (cts.length < o.appMessages && now() - te < o.appBudgetMs) {
    const s = await encrypt(a, payload(cts.length), cs);
    a = s.state;
    cts.push(s.bytes);
  }
  const encryptMs = now() - te;
  te = now();
  for (let i = 0; i < cts.length; i++) {
    const r = await receive(b, cts[i]!, cs);
    b = r.state;
    if (!r.message || !sameBytes(r.message, payload(i))) throw new Error(`message ${i} decrypted to something else`);
  }
  const decryptMs = now() - te;
  log(`ts-mls N=${N}: ${cts.length} messages, ${((cts.length / encryptMs) * 1000).toFixed(0)} enc/s, ${((cts.length / decryptMs) * 1000).toFixed(0)} dec/s`);

  // Churn: two Adds in a row after the Removes, then the second newcomer joins.
  let churnJoin: GroupSizeResult['churnJoin'];
  {
    const x = await newMember(cs);
    const y = await newMember(cs);
    const cx = await commit(a, cs, [{ proposalType: 'add', add: { keyPackage: decodeKeyPackage(x.bytes) } }], true);
    a = cx.state;
    b = (await receive(b, cx.commitBytes, cs)).state;
    const cy = await commit(a, cs, [{ proposalType: 'add', add: { keyPackage: decodeKeyPackage(y.bytes) } }], true);
    a = cy.state;
    b = (await receive(b, cy.commitBytes, cs)).state;
    const t = now();
    try {
      await joinGroup(decodeWelcome(cy.welcomeBytes!), y.publicPackage, y.privatePackage, emptyPskIndex, cs);
      churnJoin = { ok: true, ms: now() - t };
    } catch (e) {
      churnJoin = { ok: false, ms: now() - t, error: e instanceof Error ? e.message : String(e) };
    }
    log(`ts-mls N=${N}: second of two Adds after a Remove joins: ${churnJoin.ok ? `${churnJoin.ms.toFixed(1)} ms` : `FAILED (${churnJoin.error})`}`);
  }

  return {
    library: 'ts-mls',
    runtime,
    members: N,
    keyPackageMs,
    keyPackageBytes: creator.bytes.length,
    build: { ms: buildMs, commitBytes: built.commitBytes.length, welcomeBytes: built.welcomeBytes!.length, groupInfoBytes: buildGroupInfoBytes },
    buildJoinMs,
    add: { ms: timing(addMs), commitBytes: addCommitBytes, welcomeBytes: addWelcomeBytes, groupInfoBytes: addGroupInfoBytes, groupInfoMs: median(groupInfoMs) },
    addProcess: timing(addProcess),
    join: timing(join),
    firstRead: timing(firstRead),
    remove: { ms: timing(removeMs), commitBytes: removeCommitBytes },
    removeProcess: timing(removeProcess),
    churnJoin,
    stateBytes,
    stateBytesWithoutTree,
    stateBytesCurrentEpoch,
    stateEncode: timing(stateEncode),
    stateDecode: timing(stateDecode),
    app: { messages: cts.length, encryptPerSec: (cts.length / encryptMs) * 1000, decryptPerSec: (cts.length / decryptMs) * 1000, ciphertextBytes: cts[0]!.length },
    commitWireFormat: wireFormatName(built.commitBytes),
    repetitions: o.repetitions,
    totalMs: now() - t0,
    notes: notes.concat(`payload ${PAYLOAD_BYTES} B; commits as PrivateMessage (ts-mls default)`),
  };
}
