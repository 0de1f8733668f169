/**
 * The same MLS scenario with @wireapp/core-crypto (OpenMLS compiled to WebAssembly, its
 * browser build). The module is passed in, loaded by the page or, in Node, by
 * core-crypto-node.ts. Every operation runs in its own transaction, as a client would run it.
 *
 * The creator, the existing member and every newcomer are CoreCrypto instances, each with its
 * own in-memory database. The N − 2 passive members (added, never joining) are KeyPackages
 * made by ts-mls with core-crypto client ids as identities: a CoreCrypto instance needs its own
 * database, and Database.inMemory() alone takes 12–40 ms here, so 1,000 of them would use up
 * the time budget. OpenMLS validates those KeyPackages like any other (an interop check too).
 */
import type * as CC from '@wireapp/core-crypto/browser';
import { PAYLOAD_BYTES, payload, sameBytes, timing, wireFormatName, type GroupSizeResult, type ScenarioOptions } from './types.ts';

type CoreCryptoModule = typeof CC;
const now = () => performance.now();

interface Member {
  cc: CC.CoreCrypto;
  id: CC.ClientId;
  credential: CC.CredentialRef;
  /** The KeyPackage as it travels (TLS-serialized). */
  keyPackage: Uint8Array;
}

/** Captures what CoreCrypto hands to the delivery service; accepting it lets CoreCrypto merge the commit. */
class Outbox implements CC.MlsTransport {
  last: CC.CommitBundle | undefined;
  async sendCommitBundle(bundle: CC.CommitBundle): Promise<void> {
    this.last = bundle;
  }
  async prepareForTransport(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
  take(): CC.CommitBundle {
    const b = this.last;
    if (!b) throw new Error('no commit bundle was sent');
    this.last = undefined;
    return b;
  }
}

let deviceCounter = 1n;

export async function runCoreCrypto(
  cc: CoreCryptoModule,
  o: ScenarioOptions,
  runtime: string,
  passiveKeyPackage: (identity: Uint8Array) => Promise<Uint8Array>,
): Promise<GroupSizeResult> {
  const log = o.log ?? (() => {});
  const t0 = now();
  const N = o.members;
  const suite = cc.cipherSuiteFromU16(1); // MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519
  const outbox = new Outbox();
  const nobody = new Outbox();

  const kpMs: number[] = [];
  async function newMember(transport: Outbox): Promise<{ member: Member; ms: number }> {
    const db = await cc.Database.inMemory();
    const c = cc.CoreCrypto.new(db);
    const id = new cc.ClientId(new cc.Uuid(crypto.randomUUID()), new cc.DeviceId(deviceCounter++), 'bench.invalid');
    const t = now();
    let credential: CC.CredentialRef | undefined;
    let kp: CC.KeyPackage | undefined;
    await c.transaction(async (ctx) => {
      await ctx.mlsInit(id, transport);
      credential = await ctx.addCredential(cc.Credential.basic(suite, id));
      kp = await ctx.generateKeyPackage(credential);
    });
    const ms = now() - t;
    kpMs.push(ms);
    return { member: { cc: c, id, credential: credential!, keyPackage: kp!.serialize() }, ms };
  }

  // The creator and B are CoreCrypto instances; the others are passive KeyPackages (see above).
  const creator = (await newMember(outbox)).member;
  const bMember = (await newMember(nobody)).member;
  const leaves: Array<CC.ClientId | undefined> = [creator.id, bMember.id];
  const others: Uint8Array[] = [bMember.keyPackage];
  for (let i = 2; i < N; i++) {
    const id = new cc.ClientId(new cc.Uuid(crypto.randomUUID()), new cc.DeviceId(deviceCounter++), 'bench.invalid');
    others.push(await passiveKeyPackage(id.copyBytes()));
    leaves.push(id);
  }
  log(`core-crypto N=${N}: ${N} members' KeyPackages (${N - 2} made by ts-mls)`);

  const conversation = new cc.ConversationId(new TextEncoder().encode(`bench-group-${N}`));
  // Build: one commit adding N − 1 members.
  let tb = now();
  await creator.cc.transaction(async (ctx) => {
    await ctx.createConversation(conversation, creator.credential);
    await ctx.addClientsToConversation(conversation, others.map((b) => new cc.KeyPackage(b)));
  });
  const buildMs = now() - tb;
  const built = outbox.take();
  const buildGroupInfoBytes = built.groupInfo.payload.length;
  const buildWelcome = built.welcome!.serialize();
  log(`core-crypto N=${N}: build ${buildMs.toFixed(0)} ms, commit ${built.commit.length} B, welcome ${buildWelcome.length} B, group info ${built.groupInfo.payload.length} B`);

  // B, the first member added, joins from that Welcome.
  const b = bMember;
  tb = now();
  await b.cc.transaction(async (ctx) => {
    await ctx.processWelcomeMessage(new cc.Welcome(buildWelcome));
  });
  const buildJoinMs = now() - tb;

  const removeLeaf = Math.max(2, N >> 1);
  const addMs: number[] = [], addProcess: number[] = [], join: number[] = [], firstRead: number[] = [], removeMs: number[] = [], removeProcess: number[] = [];
  let addCommitBytes = 0, addWelcomeBytes = 0, removeCommitBytes = 0, addGroupInfoBytes = 0;
  for (let rep = 0; rep < o.repetitions; rep++) {
    const newcomer = (await newMember(nobody)).member;
    let t = now();
    await creator.cc.transaction(async (ctx) => {
      await ctx.addClientsToConversation(conversation, [new cc.KeyPackage(newcomer.keyPackage)]);
    });
    addMs.push(now() - t);
    const added = outbox.take();
    const welcome = added.welcome!.serialize();
    addCommitBytes = added.commit.length;
    addWelcomeBytes = welcome.length;
    addGroupInfoBytes = added.groupInfo.payload.length;
    const blank = leaves.indexOf(undefined);
    if (blank >= 0) leaves[blank] = newcomer.id;
    else leaves.push(newcomer.id);

    t = now();
    await b.cc.transaction(async (ctx) => {
      await ctx.decryptMessage(conversation, added.commit);
    });
    addProcess.push(now() - t);

    let sent: Uint8Array | undefined;
    await creator.cc.transaction(async (ctx) => {
      sent = await ctx.encryptMessage(conversation, payload(rep));
    });
    t = now();
    await newcomer.cc.transaction(async (ctx) => {
      await ctx.processWelcomeMessage(new cc.Welcome(welcome));
    });
    const tj = now();
    join.push(tj - t);
    let read: CC.DecryptedMessage | undefined;
    await newcomer.cc.transaction(async (ctx) => {
      read = await ctx.decryptMessage(conversation, sent!);
    });
    firstRead.push(now() - tj);
    if (!(read instanceof cc.DecryptedMessage.Text) || !sameBytes(read.inner.plaintext, payload(rep))) throw new Error('the newcomer read something else');
    await b.cc.transaction(async (ctx) => {
      await ctx.decryptMessage(conversation, sent!);
    });
    newcomer.cc.uniffiDestroy();

    t = now();
    const victim = leaves[removeLeaf]!;
    await creator.cc.transaction(async (ctx) => {
      await ctx.removeClientsFromConversation(conversation, [victim]);
    });
    removeMs.push(now() - t);
    leaves[removeLeaf] = undefined;
    const removed = outbox.take();
    removeCommitBytes = removed.commit.length;
    t = now();
    await b.cc.transaction(async (ctx) => {
      await ctx.decryptMessage(conversation, removed.commit);
    });
    removeProcess.push(now() - t);
    log(`core-crypto N=${N}: add ${addMs.at(-1)!.toFixed(1)} ms, process ${addProcess.at(-1)!.toFixed(1)} ms, join ${join.at(-1)!.toFixed(1)} ms, remove ${removeMs.at(-1)!.toFixed(1)} ms`);
  }

  // Application messages, one transaction each, as a client sends and receives them.
  const cts: Uint8Array[] = [];
  let te = now();
  while (cts.length < o.appMessages && now() - te < o.appBudgetMs) {
    const i = cts.length;
    await creator.cc.transaction(async (ctx) => {
      cts.push(await ctx.encryptMessage(conversation, payload(i)));
    });
  }
  const encryptMs = now() - te;
  te = now();
  for (let i = 0; i < cts.length; i++) {
    let m: CC.DecryptedMessage | undefined;
    await b.cc.transaction(async (ctx) => {
      m = await ctx.decryptMessage(conversation, cts[i]!);
    });
    if (!(m instanceof cc.DecryptedMessage.Text) || !sameBytes(m.inner.plaintext, payload(i))) throw new Error(`message ${i} decrypted to something else`);
  }
  const decryptMs = now() - te;
  log(`core-crypto N=${N}: ${cts.length} messages, ${((cts.length / encryptMs) * 1000).toFixed(0)} enc/s, ${((cts.length / decryptMs) * 1000).toFixed(0)} dec/s`);
  // Churn: two Adds in a row after the Removes, then the second newcomer joins.
  let churnJoin: GroupSizeResult['churnJoin'];
  {
    const x = (await newMember(nobody)).member;
    const y = (await newMember(nobody)).member;
    let welcome: Uint8Array | undefined;
    for (const m of [x, y]) {
      await creator.cc.transaction(async (ctx) => {
        await ctx.addClientsToConversation(conversation, [new cc.KeyPackage(m.keyPackage)]);
      });
      const bundle = outbox.take();
      welcome = bundle.welcome!.serialize();
      await b.cc.transaction(async (ctx) => {
        await ctx.decryptMessage(conversation, bundle.commit);
      });
    }
    const t = now();
    try {
      await y.cc.transaction(async (ctx) => {
        await ctx.processWelcomeMessage(new cc.Welcome(welcome!));
      });
      churnJoin = { ok: true, ms: now() - t };
    } catch (e) {
      churnJoin = { ok: false, ms: now() - t, error: e instanceof Error ? e.message : String(e) };
    }
    x.cc.uniffiDestroy();
    y.cc.uniffiDestroy();
    log(`core-crypto N=${N}: second of two Adds after a Remove joins: ${churnJoin.ok ? `${churnJoin.ms.toFixed(1)} ms` : `FAILED (${churnJoin.error})`}`);
  }
  creator.cc.uniffiDestroy();
  b.cc.uniffiDestroy();

  return {
    library: 'core-crypto',
    runtime,
    members: N,
    keyPackageMs: kpMs.reduce((x, y) => x + y, 0) / kpMs.length,
    keyPackageBytes: creator.keyPackage.length,
    build: { ms: buildMs, commitBytes: built.commit.length, welcomeBytes: buildWelcome.length, groupInfoBytes: buildGroupInfoBytes },
    buildJoinMs,
    add: { ms: timing(addMs), commitBytes: addCommitBytes, welcomeBytes: addWelcomeBytes, groupInfoBytes: addGroupInfoBytes },
    addProcess: timing(addProcess),
    join: timing(join),
    firstRead: timing(firstRead),
    remove: { ms: timing(removeMs), commitBytes: removeCommitBytes },
    removeProcess: timing(removeProcess),
    churnJoin,
    app: { messages: cts.length, encryptPerSec: (cts.length / encryptMs) * 1000, decryptPerSec: (cts.length / decryptMs) * 1000, ciphertextBytes: cts[0]!.length },
    commitWireFormat: wireFormatName(built.commit),
    repetitions: o.repetitions,
    totalMs: now() - t0,
    notes: [
      `payload ${PAYLOAD_BYTES} B; one transaction per operation; in-memory database`,
      `KeyPackage time: mean over the ${kpMs.length} CoreCrypto members (creator, existing member, newcomers); the ${N - 2} passive members' KeyPackages were made by ts-mls and accepted by OpenMLS`,
      'every commit bundle carries a GroupInfo with the full ratchet tree (made inside the commit time)',
      'group state: not exposed by the API (kept in the encrypted keystore)',
    ],
  };
}
