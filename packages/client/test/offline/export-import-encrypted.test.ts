import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MichatClient, MichatError, exportState, importState, type ChannelView, type LocalStore } from '../../src/index.ts';
import { FileStore } from '../../src/node/index.ts';
import { eventually, startClientFixture, type ClientFixture } from '../fixture.ts';

const PASSPHRASE = 'a walrus in the snow, 1987';
const KEY_PREFIXES = ['e2ee/identity/', 'e2ee/kp/', 'e2ee/group/'];
const isKey = (key: string) => KEY_PREFIXES.some((p) => key.startsWith(p));

/** Everything a store holds, comparable with toEqual (records with their values). */
async function contents(store: LocalStore) {
  const objects: Record<string, string[]> = {};
  for (const channel of await store.channels()) objects[channel] = (await store.objects(channel)).map((o) => o.name);
  return { objects, vectors: await store.vectors(), seq: await store.seqCounters(), outbox: await store.outbox(), records: await store.records('') };
}

/** Every long string inside a record's value (key bytes in base64, tokens, texts): what a leak would show. */
function secrets(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 16 ? [value] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(secrets);
  return [];
}

/** The private halves in key records: signature key, KeyPackage private keys, group state. */
function privateKeys(records: Array<[string, unknown]>): string[] {
  const fields = ['signKey', 'init', 'hpke', 'signature', 'state'];
  return records.filter(([k]) => isKey(k)).flatMap(([, v]) => Object.entries(v as Record<string, unknown>).filter(([field]) => fields.includes(field)).map(([, s]) => s as string));
}

async function expectRefused(promise: Promise<unknown>, kind: string, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MichatError);
  expect(error).toMatchObject({ kind, message: expect.stringMatching(message) });
}

describe('passphrase-encrypted export of an E2EE device', () => {
  let f: ClientFixture;
  /** Alice's device after a conversation with bob: keys, KeyPackages, a group state, opened texts. */
  let store: MemoryStore;
  let alice: MichatClient;
  let bob: MichatClient;
  let bobView: ChannelView;
  let channel: Awaited<ReturnType<ClientFixture['channel']>>;
  const texts = (v: ChannelView) => v.messages().map((m) => m.text);

  beforeAll(async () => {
    f = await startClientFixture();
    store = new MemoryStore();
    alice = await f.user('alice', { store, e2ee: true });
    bob = await f.user('bob', { store: new MemoryStore(), e2ee: true });
    await Promise.all([alice.e2ee!.ready(), bob.e2ee!.ready()]);
    channel = await f.channel([alice, bob]);
    const aliceView = alice.channel(channel);
    bobView = bob.channel(channel);
    await Promise.all([aliceView.synced, bobView.synced]);
    await (await aliceView.send('secret-plan-alpha from alice')).delivered;
    await (await bobView.send('secret-plan-bravo from bob')).delivered;
    await eventually(() => texts(aliceView).includes('secret-plan-bravo from bob'), 10_000, 'alice opens bob’s message');
    await eventually(() => texts(bobView).includes('secret-plan-alpha from alice'), 10_000, 'bob opens alice’s message');
    await alice.close();
  }, 60_000);
  afterAll(() => f.close());

  it('the device holds what the export is about: its keys and opened texts', async () => {
    const keys = (await store.records('e2ee/')).map(([k]) => k.split('/')[1]);
    expect(new Set(keys)).toEqual(new Set(['identity', 'kp', 'group', 'plain']));
  });

  it('with a passphrase: the file shows no key and no text; a fresh MemoryStore and FileStore get every record back as it was, and the restored device goes on in the channel', async () => {
    const before = await contents(store);
    const started = performance.now();
    const file = JSON.stringify(await exportState(store, { passphrase: PASSPHRASE }));
    const exportMs = performance.now() - started;

    const wrapper = JSON.parse(file) as Record<string, unknown>;
    expect(Object.keys(wrapper).sort()).toEqual(['cipher', 'ciphertext', 'format', 'iv', 'kdf', 'version']);
    expect(wrapper).toMatchObject({ format: 'michat-export-encrypted', version: 1, cipher: 'AES-256-GCM', kdf: { name: 'scrypt', N: 65536, r: 8, p: 1 } });
    const keyRecords = before.records.filter(([k]) => isKey(k));
    const leaks = [...keyRecords, ...before.records.filter(([k]) => k === 'profile' || k.startsWith('e2ee/plain/'))].flatMap(([, v]) => secrets(v));
    expect(leaks.length).toBeGreaterThan(20);
    for (const secret of leaks) expect(file).not.toContain(secret);
    for (const text of ['secret-plan-alpha', 'secret-plan-bravo', alice.session.refreshToken]) expect(file).not.toContain(text);

    const memory = new MemoryStore();
    const restoreStarted = performance.now();
    expect(await importState(memory, JSON.parse(file), { passphrase: PASSPHRASE })).toMatchObject({ skipped: 0 });
    const importMs = performance.now() - restoreStarted;
    expect(await contents(memory)).toEqual(before);
    console.info(`scrypt N=2^16 r=8 p=1 + AES-256-GCM: export ${exportMs.toFixed(0)} ms, import ${importMs.toFixed(0)} ms`);

    const dir = await mkdtemp(join(tmpdir(), 'michat-encrypted-export-'));
    try {
      const onDisk = await FileStore.open(dir);
      await importState(onDisk, JSON.parse(file), { passphrase: PASSPHRASE });
      await onDisk.close();
      const reopened = await FileStore.open(dir);
      expect(await contents(reopened)).toEqual(before);
      for (const [key, value] of keyRecords) expect(JSON.stringify(await reopened.getRecord(key))).toBe(JSON.stringify(value));

      // The restored device is alice's device: same keys (no new registration), same group.
      const restored = f.track((await MichatClient.resume(reopened, { e2ee: true }))!);
      const view = restored.channel(channel);
      await eventually(() => texts(view).join('|') === 'secret-plan-alpha from alice|secret-plan-bravo from bob', 10_000, 'the restored history opens');
      await (await view.send('secret-plan-charlie after the restore')).delivered;
      await eventually(() => texts(bobView).includes('secret-plan-charlie after the restore'), 10_000, 'bob reads the restored device');
      expect(bobView.messages().at(-1)).toMatchObject({ e2ee: true, username: 'alice' });
      await restored.close();
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without a passphrase: no key record and no key bytes leave the device, and the file says so; history stays', async () => {
    const keyRecords = (await store.records('')).filter(([k]) => isKey(k));
    const doc = await exportState(store);
    const file = JSON.stringify(doc);
    expect(doc.format).toBe('michat-export');
    expect(Object.keys(doc.records).filter(isKey)).toEqual([]);
    expect(doc.keysLeftOut).toBe(keyRecords.length);
    const keys = privateKeys(keyRecords);
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) expect(file).not.toContain(key);
    expect(Object.keys(doc.records).filter((k) => k.startsWith('e2ee/plain/')).length).toBeGreaterThanOrEqual(2);

    const fresh = new MemoryStore();
    await importState(fresh, JSON.parse(file));
    expect((await fresh.records('')).filter(([k]) => isKey(k))).toEqual([]);
    expect(await fresh.records('e2ee/plain/')).toEqual(await store.records('e2ee/plain/'));
  });

  it('refuses an encrypted file without its passphrase, with a wrong one, or with any byte changed, and stores nothing', async () => {
    const wrapper = await exportState(store, { passphrase: PASSPHRASE });
    const target = new MemoryStore();
    const empty = await contents(target);

    await expectRefused(importState(target, wrapper), 'BadRequest', /^this export is encrypted: give its passphrase$/);
    await expectRefused(importState(target, wrapper, { passphrase: 'a walrus in the snow, 1988' }), 'Unauthorized', /^wrong passphrase or damaged export$/);

    const bytes = Buffer.from(wrapper.ciphertext, 'base64');
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await expectRefused(importState(target, { ...wrapper, ciphertext: bytes.toString('base64') }, { passphrase: PASSPHRASE }), 'Unauthorized', /wrong passphrase or damaged export/);
    const iv = Buffer.from(wrapper.iv, 'base64');
    iv[0]! ^= 0x80;
    await expectRefused(importState(target, { ...wrapper, iv: iv.toString('base64') }, { passphrase: PASSPHRASE }), 'Unauthorized', /wrong passphrase or damaged export/);
    // A crafted file cannot make an import spend minutes or gigabytes.
    await expectRefused(importState(target, { ...wrapper, kdf: { ...wrapper.kdf, N: 2 ** 24 } }, { passphrase: PASSPHRASE }), 'BadRequest', /cost more than an import spends/);

    expect(await contents(target)).toEqual(empty);
  });

  it('still imports the unencrypted format written before keys were left out (a passphrase given or not)', async () => {
    const old = {
      format: 'michat-export',
      version: 1,
      exportedAt: 1_700_000_000_000,
      records: { 'read/00000100000100000a': 'cursor-1', 'e2ee/plain/00000100000100000a/aa': 'aGVsbG8=' },
      seq: { '7/00000100000100000a': 3 },
      vectors: {},
      objects: {},
      outbox: [],
    };
    for (const options of [{}, { passphrase: PASSPHRASE }]) {
      const target = new MemoryStore();
      expect(await importState(target, old, options)).toEqual({ objects: 0, outbox: 0, skipped: 0 });
      expect(await target.records('')).toEqual(Object.entries(old.records).sort());
      expect(await target.takeSeq(7, '00000100000100000a')).toBe(4);
    }
  });
});
