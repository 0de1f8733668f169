import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Session } from '@michat/protocol';
import type { SeqStore } from '@michat/client';
import { CliError } from './output.ts';

/** What `michat login` keeps: the server, the session, and the last seq per (device, channel). */
export interface ProfileData {
  server: string;
  session: Session;
  seq: Record<string, number>;
}

const LOCK_WAIT_MS = 5_000;

/** The profile path: --profile, else MICHAT_PROFILE, else ~/.michat/profile.json. */
export function profilePath(flag?: string): string {
  return flag ?? process.env.MICHAT_PROFILE ?? join(homedir(), '.michat', 'profile.json');
}

/**
 * A profile file, updated atomically (write + fsync + rename) under a lock file, so two
 * commands running at once on one profile never hand out the same sequence number.
 */
export class Profile implements SeqStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<ProfileData> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      throw new CliError(`not logged in (no profile at ${this.path}): run michat login`);
    }
    return JSON.parse(text) as ProfileData;
  }

  /** Replaces the profile (login). */
  async write(data: ProfileData): Promise<void> {
    await this.locked(async () => this.save(data));
  }

  /** Stores a refreshed session, keeping the sequence numbers. */
  async saveSession(session: Session): Promise<void> {
    await this.locked(async () => this.save({ ...(await this.read()), session }));
  }

  async next(deviceId: number, channelKey: string): Promise<number> {
    return this.locked(async () => {
      const data = await this.read();
      const key = `${deviceId}/${channelKey}`;
      const seq = (data.seq[key] ?? 0) + 1;
      await this.save({ ...data, seq: { ...data.seq, [key]: seq } });
      return seq;
    });
  }

  private async save(data: ProfileData): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(data, null, 2));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const lock = `${this.path}.lock`;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch {
        if (Date.now() > deadline) throw new CliError(`profile is locked (${lock}); remove it if no michat command is running`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }
}
