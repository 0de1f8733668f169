import { VersionVector, channelKey, decodeObject, nameDevice, nameSeq, positionToCursor, toHex, type VectorEntries } from '@michat/protocol';
import { MichatError } from '@michat/protocol';
import { fromBase64, toBase64 } from './base64.ts';
import { decryptExport, encryptExport, isEncryptedExport, type EncryptedExport } from './export-encryption.ts';
import type { LocalStore, OutboxEntry, StoredObject } from './local-store.ts';
import { RecordKeys, isKeyRecord, type StoredDirectory, type StoredProfile } from './store-records.ts';

/**
 * The whole local state of one account on one device, as one JSON document (bytes in
 * base64): what `exportState` writes and `importState` merges back. This device's private
 * keys are in it only when it travels encrypted (`EncryptedExport`).
 */
export interface MichatExport {
  format: 'michat-export';
  version: 1;
  /** Local time of the export. */
  exportedAt: number;
  /** Every small record (profile, directory, device owners, read marks, E2EE keys when encrypted…), by key. */
  records: Record<string, unknown>;
  /**
   * How many key records (`RecordKeys.keyPrefixes`) this document leaves out: all of them in
   * an export without a passphrase, none inside an encrypted one. Absent in older files.
   */
  keysLeftOut?: number;
  seq: Record<string, number>;
  vectors: Record<string, VectorEntries>;
  /** Per channel key: each object's bytes (names and positions are read from them). */
  objects: Record<string, Array<{ bytes: string; localId?: string }>>;
  outbox: Array<Omit<OutboxEntry, 'bytes'> & { bytes: string }>;
}

export interface ImportSummary {
  objects: number;
  outbox: number;
  /** Entries that were not valid (undecodable objects, wrong channel) and were left out. */
  skipped: number;
}

export interface ExportOptions {
  /** Encrypts the whole document under this passphrase (scrypt, AES-256-GCM), keys included. */
  passphrase?: string | undefined;
}

export interface ImportOptions {
  /** The passphrase of an encrypted export (ignored for an unencrypted one). */
  passphrase?: string | undefined;
}

/**
 * The store as an export document. With a passphrase, all of it (keys included) encrypted;
 * without, everything but this device's private keys, which never leave it in the clear.
 */
export async function exportState(store: LocalStore): Promise<MichatExport>;
export async function exportState(store: LocalStore, options: { passphrase: string }): Promise<EncryptedExport>;
export async function exportState(store: LocalStore, options?: ExportOptions): Promise<MichatExport | EncryptedExport>;
export async function exportState(store: LocalStore, options: ExportOptions = {}): Promise<MichatExport | EncryptedExport> {
  const encrypt = options.passphrase !== undefined;
  const objects: MichatExport['objects'] = {};
  for (const channel of await store.channels()) {
    objects[channel] = (await store.objects(channel)).map((o) => ({ bytes: toBase64(o.bytes), ...(o.localId !== undefined ? { localId: o.localId } : {}) }));
  }
  const all = await store.records('');
  const records = encrypt ? all : all.filter(([key]) => !isKeyRecord(key));
  const document: MichatExport = {
    format: 'michat-export',
    version: 1,
    exportedAt: Date.now(),
    records: Object.fromEntries(records),
    keysLeftOut: all.length - records.length,
    seq: await store.seqCounters(),
    vectors: await store.vectors(),
    objects,
    outbox: (await store.outbox()).map(({ bytes, ...rest }) => ({ ...rest, bytes: toBase64(bytes) })),
  };
  return encrypt ? encryptExport(document, options.passphrase!) : document;
}

/**
 * The export document a file holds, decrypted when it is encrypted: what `importState`
 * merges, for apps that look inside first (whose account is it?). Nothing is stored.
 * Throws BadRequest for an encrypted file without a passphrase, Unauthorized for a wrong
 * passphrase or a changed byte, TypeError for a file that is not an export.
 */
export async function readExport(data: unknown, options: ImportOptions = {}): Promise<MichatExport> {
  if (!isEncryptedExport(data)) return checkExport(data);
  if (options.passphrase === undefined) throw new MichatError('BadRequest', 'this export is encrypted: give its passphrase');
  return checkExport(await decryptExport(data, options.passphrase));
}

/**
 * Merges an export into the store, by name: objects are a set union (nothing duplicated,
 * first write wins), vectors are unioned (each side only claims objects it holds, so the
 * union does too), seq counters take the max (a name is never reused), outbox entries are
 * added unless their local id is there, and records keep the newer or the existing value
 * (the later session, the newer directory, the furthest read mark). An encrypted export
 * needs its passphrase; it is opened whole before anything is stored (see `readExport`).
 */
export async function importState(store: LocalStore, data: unknown, options: ImportOptions = {}): Promise<ImportSummary> {
  const file = await readExport(data, options);
  const summary: ImportSummary = { objects: 0, outbox: 0, skipped: 0 };
  for (const [channel, list] of Object.entries(file.objects)) {
    const stored: StoredObject[] = [];
    for (const item of list) {
      const obj = readObject(item?.bytes);
      if (!obj || channelKey(obj.name) !== channel) {
        summary.skipped++;
        continue;
      }
      const position = positionToCursor({ created: obj.created, device: nameDevice(obj.name), seq: nameSeq(obj.name) });
      stored.push({ name: toHex(obj.name), position, bytes: obj.bytes, ...(typeof item.localId === 'string' ? { localId: item.localId } : {}) });
    }
    await store.addObjects(channel, stored);
    summary.objects += stored.length;
  }
  for (const [key, entries] of Object.entries(file.vectors)) {
    const merged = VersionVector.from((await store.vector(key)) ?? []);
    merged.addAll(VersionVector.from(entries));
    await store.setVector(key, merged.entries());
  }
  await store.raiseSeqs(Object.fromEntries(Object.entries(file.seq).filter(([, v]) => Number.isSafeInteger(v) && v > 0)));
  const held = new Set((await store.outbox()).map((e) => e.localId));
  for (const { bytes, ...rest } of file.outbox) {
    const obj = readObject(bytes);
    if (!obj || held.has(rest.localId)) {
      if (!obj) summary.skipped++;
      continue;
    }
    await store.putOutbox({ ...rest, name: toHex(obj.name), channel: channelKey(obj.name), bytes: obj.bytes });
    summary.outbox++;
  }
  for (const [key, value] of Object.entries(file.records)) {
    const current = await store.getRecord(key);
    const merged = mergeRecord(key, current, value);
    if (merged !== current) await store.setRecord(key, merged);
  }
  return summary;
}

/** Which of two values of one record to keep. */
function mergeRecord(key: string, current: unknown, imported: unknown): unknown {
  if (current === undefined) return imported;
  if (key === RecordKeys.profile) {
    const a = current as StoredProfile;
    const b = imported as StoredProfile;
    // The same account: the later session (refresh tokens rotate). Another account never replaces this one.
    const same = a.serverUrl === b.serverUrl && a.session?.userId === b.session?.userId && a.session?.orgId === b.session?.orgId;
    return same && b.session?.expiresAt > a.session?.expiresAt ? imported : current;
  }
  if (key === RecordKeys.directory) return (imported as StoredDirectory).savedAt > (current as StoredDirectory).savedAt ? imported : current;
  if (key.startsWith(RecordKeys.readPrefix)) return typeof imported === 'string' && typeof current === 'string' && imported > current ? imported : current;
  return current;
}

function readObject(base64: unknown) {
  if (typeof base64 !== 'string') return undefined;
  try {
    return decodeObject(fromBase64(base64));
  } catch {
    return undefined;
  }
}

function checkExport(data: unknown): MichatExport {
  const d = data as Partial<MichatExport> | null;
  if (!d || typeof d !== 'object' || d.format !== 'michat-export') throw new TypeError('not a michat export file');
  if (d.version !== 1) throw new TypeError(`michat export version ${String(d.version)} is not supported (this client reads version 1)`);
  const isRecord = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  if (!isRecord(d.records) || !isRecord(d.seq) || !isRecord(d.vectors) || !isRecord(d.objects) || !Array.isArray(d.outbox)) throw new TypeError('the michat export is incomplete');
  return d as MichatExport;
}
