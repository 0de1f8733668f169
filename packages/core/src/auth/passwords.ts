import type { KvStore } from '../ports/kv-store.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { UserRecord } from '../directory/records.ts';
import { jsonBytes, parseJsonBytes } from '../util/json-bytes.ts';
import { authKeys } from './auth-keys.ts';
import { checkPassword } from './password-rules.ts';

/**
 * `d/pw/<user>`: a password changed by its owner. It replaces the hash in the user record
 * only while that hash is still `replaces`: if the directory sets a new one later (an admin
 * reset), the directory's wins again.
 */
interface ChangedPassword {
  hash: string;
  replaces: string;
  changed: number;
}

/** Password checks and changes for sign-in. */
export class Passwords {
  private readonly kv: KvStore;
  private readonly hasher: PasswordHasher;
  private readonly dummyHash: Promise<string>;

  constructor(kv: KvStore, hasher: PasswordHasher) {
    this.kv = kv;
    this.hasher = hasher;
    this.dummyHash = hasher.hash('timing-equalizer');
    this.dummyHash.catch(() => undefined);
  }

  /** Whether `password` is the user's. Hashes even for unknown users, so timing does not tell which usernames exist. */
  async verify(user: UserRecord | undefined, password: string): Promise<boolean> {
    const hash = user ? await this.currentHash(user) : await this.dummyHash;
    const ok = await this.hasher.verify(hash, password);
    return ok && user !== undefined;
  }

  /** Sets a new password after checking it against the rules (BadRequest otherwise). */
  async change(user: UserRecord, password: string, now: number): Promise<void> {
    checkPassword(password, user.username);
    const hash = await this.hasher.hash(password);
    await this.kv.put(authKeys.password(user.id), jsonBytes({ hash, replaces: user.passwordHash, changed: now } satisfies ChangedPassword));
  }

  private async currentHash(user: UserRecord): Promise<string> {
    const raw = await this.kv.get(authKeys.password(user.id));
    const changed = raw ? parseJsonBytes<ChangedPassword>(raw) : undefined;
    return changed && changed.replaces === user.passwordHash ? changed.hash : user.passwordHash;
  }
}
