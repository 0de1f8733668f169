import type { TeamRole } from '@michat/protocol';
import type { KvStore } from '../ports/kv-store.ts';
import { fromUtf8, jsonBytes, parseJsonBytes, utf8 } from '../util/json-bytes.ts';
import { authKeys } from './auth-keys.ts';
import { sha256Hex } from './secrets.ts';

/** `d/inv/<org>/<id>`: an invite. Its code is stored only as `d/invcode/<sha256>`. */
export interface InviteRecord {
  id: string;
  orgId: number;
  teamId?: number;
  role?: TeamRole;
  createdBy: number;
  created: number;
  expiresAt: number;
  maxUses: number;
  /** SHA-256 of the code (not secret: the code cannot be had from it), to delete the code's key. */
  codeHash: string;
}

export function hashCode(code: string): Promise<string> {
  return sha256Hex(code);
}

/**
 * Invites in the store. Uses are counted with one key per use (`d/invuse/<id>/<n>`, n in
 * 1..maxUses) claimed with `putIfAbsent`: however many nodes register at once, each n is
 * won once, so an invite is never used more than `maxUses` times.
 */
export class InviteStore {
  private readonly kv: KvStore;

  constructor(kv: KvStore) {
    this.kv = kv;
  }

  /** Stores an invite whose `codeHash` is `hashCode(code)`. */
  async create(invite: InviteRecord): Promise<void> {
    const ref = utf8(`${invite.orgId}/${invite.id}`);
    const clash = await this.kv.putIfAbsent(authKeys.inviteCode(invite.codeHash), ref, [[authKeys.invite(invite.orgId, invite.id), jsonBytes(invite)]]);
    if (clash) throw new Error('invite code collision'); // 144 random bits: never, in practice
  }

  /** The invite a code opens, or undefined (unknown or revoked). */
  async byCode(code: string): Promise<InviteRecord | undefined> {
    const ref = await this.kv.get(authKeys.inviteCode(await hashCode(code)));
    if (!ref) return undefined;
    const [org, id] = fromUtf8(ref).split('/');
    return this.get(Number(org), id ?? '');
  }

  async get(orgId: number, id: string): Promise<InviteRecord | undefined> {
    const raw = await this.kv.get(authKeys.invite(orgId, id));
    return raw ? parseJsonBytes<InviteRecord>(raw) : undefined;
  }

  async listOrg(orgId: number): Promise<InviteRecord[]> {
    return (await this.kv.list(authKeys.orgInvites(orgId))).map(([, v]) => parseJsonBytes<InviteRecord>(v));
  }

  async uses(invite: InviteRecord): Promise<number> {
    return (await this.kv.list(authKeys.inviteUses(invite.id))).length;
  }

  /** Claims one use; returns its number, or undefined when all are taken. */
  async claimUse(invite: InviteRecord): Promise<number | undefined> {
    const taken = new Set((await this.kv.list(authKeys.inviteUses(invite.id))).map(([key]) => Number(key.slice(key.lastIndexOf('/') + 1))));
    for (let n = 1; n <= invite.maxUses; n++) {
      if (taken.has(n)) continue;
      if ((await this.kv.putIfAbsent(authKeys.inviteUse(invite.id, n), new Uint8Array(0))) === undefined) return n;
    }
    return undefined;
  }

  /** Gives a claimed use back (the registration it was for failed). */
  async releaseUse(invite: InviteRecord, n: number): Promise<void> {
    await this.kv.delete(authKeys.inviteUse(invite.id, n));
  }

  /** Deletes the invite: its code opens nothing from now on. */
  async delete(invite: InviteRecord): Promise<void> {
    await this.kv.delete(authKeys.inviteCode(invite.codeHash));
    await this.kv.delete(authKeys.invite(invite.orgId, invite.id));
    for (const [key] of await this.kv.list(authKeys.inviteUses(invite.id))) await this.kv.delete(key);
  }
}
