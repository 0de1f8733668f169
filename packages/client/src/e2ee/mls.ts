import {
  createCommit,
  createGroup,
  decodeGroupState,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  createGroupInfoWithExternalPubAndRatchetTree,
  joinGroup,
  joinGroupExternal,
  mlsExporter,
  processPrivateMessage,
  processPublicMessage,
  type CiphersuiteImpl,
  type ClientConfig,
  type ClientState,
  type IncomingMessageCallback,
  type Credential,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { decodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { directPath, leafToNodeIndex, leafWidth, toLeafIndex } from 'ts-mls/treemath.js';
import { toHex } from '@michat/protocol';

/** RFC 9420's mandatory-to-implement suite (decision 0008). */
export const CIPHERSUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

let suite: Promise<CiphersuiteImpl> | undefined;
/** The cipher suite's implementation (WebCrypto where it can), loaded once. */
export function mlsSuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(CIPHERSUITE));
  return suite;
}

export type { ClientState, KeyPackage, PrivateKeyPackage };

/** Who a leaf is: michat binds a member's credential to (user, device). */
export interface MemberId {
  userId: number;
  deviceId: number;
}

export interface Member extends MemberId {
  leafIndex: number;
  signatureKey: Uint8Array;
}

export interface SignatureKeyPair {
  publicKey: Uint8Array;
  signKey: Uint8Array;
}

const CREDENTIAL_PREFIX = 'michat:';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function credentialOf(id: MemberId): Credential {
  return { credentialType: 'basic', identity: encoder.encode(`${CREDENTIAL_PREFIX}${id.userId}:${id.deviceId}`) };
}

/** The (user, device) a credential names; undefined for anything else. */
export function memberIdOf(credential: Credential): MemberId | undefined {
  if (credential.credentialType !== 'basic') return undefined;
  const m = /^michat:(\d{1,15}):(\d{1,9})$/.exec(decoder.decode(credential.identity));
  return m ? { userId: Number(m[1]), deviceId: Number(m[2]) } : undefined;
}

/** Commits travel as PrivateMessages; no application message uses the secret tree (sealed-payload.ts). */
const KEY_RETENTION = { retainKeysForEpochs: 2, retainKeysForGenerations: 10, maximumForwardRatchetSteps: 200 };

/** A client configuration whose credential check asks `validate` (the directory). */
export function clientConfig(validate: (id: MemberId, signatureKey: Uint8Array) => Promise<boolean>): ClientConfig {
  return {
    ...defaultClientConfig,
    keyRetentionConfig: KEY_RETENTION,
    authService: {
      async validateCredential(credential, signatureKey) {
        const id = memberIdOf(credential);
        return id !== undefined && (await validate(id, signatureKey));
      },
    },
  };
}

export async function newSignatureKeyPair(): Promise<SignatureKeyPair> {
  return (await mlsSuite()).signature.keygen();
}

export interface NewKeyPackage {
  /** The public KeyPackage as an MLSMessage, as uploaded. */
  message: Uint8Array;
  /** Its reference (hex): how a Welcome names who it is for. */
  ref: string;
  publicPackage: KeyPackage;
  privatePackage: PrivateKeyPackage;
}

export async function newKeyPackage(id: MemberId, keys: SignatureKeyPair): Promise<NewKeyPackage> {
  const cs = await mlsSuite();
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(credentialOf(id), defaultCapabilities(), defaultLifetime, [], keys, cs);
  const message = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage });
  return { message, ref: toHex(await makeKeyPackageRef(publicPackage, cs.hash)), publicPackage, privatePackage };
}

/** A KeyPackage from its MLSMessage bytes; undefined when they are not one. */
export function readKeyPackage(bytes: Uint8Array): KeyPackage | undefined {
  try {
    const msg = decodeMlsMessage(bytes, 0)?.[0];
    return msg?.wireformat === 'mls_key_package' ? msg.keyPackage : undefined;
  } catch {
    return undefined;
  }
}

export async function newGroup(groupId: Uint8Array, own: NewKeyPackage, config: ClientConfig): Promise<ClientState> {
  return createGroup(groupId, own.publicPackage, own.privatePackage, [], await mlsSuite(), config);
}

export interface CommitOutput {
  state: ClientState;
  commit: Uint8Array;
  welcome?: Uint8Array;
}

/** A Commit adding and removing members (either may be empty: then it just refreshes keys). */
export async function commitChanges(state: ClientState, changes: { add: KeyPackage[]; remove: number[] }, aad: Uint8Array): Promise<CommitOutput> {
  const proposals: Proposal[] = [
    ...changes.remove.map((leafIndex): Proposal => ({ proposalType: 'remove', remove: { removed: toLeafIndex(leafIndex) } })),
    ...changes.add.map((keyPackage): Proposal => ({ proposalType: 'add', add: { keyPackage } })),
  ];
  const cs = await mlsSuite();
  const result = await createCommit({ state, cipherSuite: cs }, { extraProposals: proposals, ratchetTreeExtension: true, authenticatedData: aad });
  const out: CommitOutput = { state: result.newState, commit: encodeMlsMessage(result.commit) };
  if (result.welcome) out.welcome = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome });
  return out;
}

/**
 * Applies another member's Commit, or a newcomer's external Commit (bytes of an MLSMessage).
 * Throws when it is not a valid next Commit.
 */
export async function applyCommit(state: ClientState, commit: Uint8Array): Promise<ClientState> {
  const msg = decodeMlsMessage(commit, 0)?.[0];
  const cs = await mlsSuite();
  // ts-mls 1.6 sees its removal only when its leaf ends blank: a Commit that also adds a member
  // into the freed leaf makes it throw instead. Look at the proposals first.
  let removed = false;
  const own = state.privatePath.leafIndex;
  const watch: IncomingMessageCallback = (incoming) => {
    removed = incoming.kind === 'commit' && incoming.proposals.some(({ proposal }) => proposal.proposalType === 'remove' && proposal.remove.removed === own);
    return removed ? 'reject' : 'accept';
  };
  let next: ClientState;
  if (msg?.wireformat === 'mls_public_message') {
    if (msg.publicMessage.content.contentType !== 'commit') throw new Error('the log object holds no commit');
    next = (await processPublicMessage(state, msg.publicMessage, emptyPskIndex, cs, watch)).newState;
  } else {
    if (msg?.wireformat !== 'mls_private_message') throw new Error('not a commit of this group');
    const result = await processPrivateMessage(state, msg.privateMessage, emptyPskIndex, cs, watch);
    if (result.kind !== 'newState') throw new Error('the log object holds an application message, not a commit');
    next = result.newState;
  }
  return removed ? { ...state, groupActiveState: { kind: 'removedFromGroup' } } : next;
}

/** The GroupInfo of the current epoch, with the ratchet tree and the key for external joins. */
export async function groupInfoOf(state: ClientState): Promise<Uint8Array> {
  const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(state, [], await mlsSuite());
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo });
}

/**
 * Joins by an external Commit against a GroupInfo (a device nobody online added). With
 * `resync`, an earlier leaf of this same device (whose keys it lost) is replaced.
 */
export async function joinExternal(
  groupInfoBytes: Uint8Array,
  own: { publicPackage: KeyPackage; privatePackage: PrivateKeyPackage },
  config: ClientConfig,
  aad: Uint8Array,
  resync: boolean,
): Promise<{ state: ClientState; commit: Uint8Array }> {
  const msg = decodeMlsMessage(groupInfoBytes, 0)?.[0];
  if (msg?.wireformat !== 'mls_group_info') throw new Error('not a GroupInfo');
  const { publicMessage, newState } = await joinGroupExternal(msg.groupInfo, own.publicPackage, own.privatePackage, resync, await mlsSuite(), undefined, config, aad);
  return { state: newState, commit: encodeMlsMessage({ version: 'mls10', wireformat: 'mls_public_message', publicMessage }) };
}

/** The KeyPackage refs (hex) a Welcome has secrets for. */
export function welcomeRefs(welcome: Uint8Array): string[] {
  const msg = decodeMlsMessage(welcome, 0)?.[0];
  return msg?.wireformat === 'mls_welcome' ? msg.welcome.secrets.map((s) => toHex(s.newMember)) : [];
}

export async function joinFromWelcome(welcome: Uint8Array, own: { publicPackage: KeyPackage; privatePackage: PrivateKeyPackage }, config: ClientConfig): Promise<ClientState> {
  const msg = decodeMlsMessage(welcome, 0)?.[0];
  if (msg?.wireformat !== 'mls_welcome') throw new Error('not a Welcome');
  return joinGroup(msg.welcome, own.publicPackage, own.privatePackage, emptyPskIndex, await mlsSuite(), undefined, undefined, config);
}

/** The (user, device) of every leaf in a GroupInfo's ratchet tree. */
export function groupInfoMembers(groupInfoBytes: Uint8Array): MemberId[] {
  const msg = decodeMlsMessage(groupInfoBytes, 0)?.[0];
  if (msg?.wireformat !== 'mls_group_info') return [];
  const ext = msg.groupInfo.extensions.find((e) => e.extensionType === 'ratchet_tree');
  const tree = ext && decodeRatchetTree(ext.extensionData, 0)?.[0];
  const out: MemberId[] = [];
  tree?.forEach((node) => {
    const id = node?.nodeType === 'leaf' ? memberIdOf(node.leaf.credential) : undefined;
    if (id) out.push(id);
  });
  return out;
}

/** The key application payloads of this epoch are sealed with (MLS exporter, RFC 9420 §8.5). */
export async function epochKeyOf(state: ClientState): Promise<Uint8Array> {
  return mlsExporter(state.keySchedule.exporterSecret, 'michat message key v1', new Uint8Array(0), 32, await mlsSuite());
}

/**
 * This device's leaf is still listed as unmerged in a parent node (it was added by someone
 * else's Commit). ts-mls 1.6 refuses to join trees whose unmerged lists differ along a path
 * (decision 0008), so a newcomer commits its own path at once, which clears its entries.
 */
export function ownLeafUnmerged(state: ClientState): boolean {
  const me = state.privatePath.leafIndex;
  return state.ratchetTree.some((n) => n?.nodeType === 'parent' && n.parent.unmergedLeaves.includes(me));
}

/**
 * Whether ts-mls 1.6 refuses to join this tree (Welcome or external join): it wants every
 * non-blank parent on an unmerged leaf's direct path to list exactly the same unmerged leaves,
 * more than RFC 9420 asks (decision 0008). A member's path Commit rewrites the nodes on its path.
 */
export function refusedOnJoin(state: ClientState): boolean {
  const tree = state.ratchetTree;
  const width = leafWidth(tree.length);
  return tree.some(
    (node) =>
      node?.nodeType === 'parent' &&
      node.parent.unmergedLeaves.some((leaf) =>
        directPath(leafToNodeIndex(toLeafIndex(leaf)), width).some((i) => {
          const above = tree[i];
          return above?.nodeType === 'parent' && above.parent.unmergedLeaves.join() !== node.parent.unmergedLeaves.join();
        }),
      ),
  );
}

/** The group's members, by leaf. */
export function membersOf(state: ClientState): Member[] {
  const out: Member[] = [];
  state.ratchetTree.forEach((node, nodeIndex) => {
    if (node?.nodeType !== 'leaf' || nodeIndex % 2 !== 0) return;
    const id = memberIdOf(node.leaf.credential);
    if (id) out.push({ ...id, leafIndex: nodeIndex / 2, signatureKey: node.leaf.signaturePublicKey });
  });
  return out;
}

export function epochOf(state: ClientState): number {
  return Number(state.groupContext.epoch);
}

/** The epoch authenticator (RFC 9420 §8.7), hex: equal on two devices only when they share the epoch's secrets. */
export function epochAuthenticatorOf(state: ClientState): string {
  return toHex(state.keySchedule.epochAuthenticator);
}

/** A Commit removed this member: the state can neither send nor follow the next epochs. */
export function isRemoved(state: ClientState): boolean {
  return state.groupActiveState.kind === 'removedFromGroup';
}

export function groupIdOf(state: ClientState): string {
  return toHex(state.groupContext.groupId);
}

export function encodeState(state: ClientState): Uint8Array {
  return encodeGroupState(state);
}

export function decodeState(bytes: Uint8Array, config: ClientConfig): ClientState {
  const decoded = decodeGroupState(bytes, 0)?.[0];
  if (!decoded) throw new Error('stored group state is damaged');
  return { ...decoded, clientConfig: config };
}

