import { execFileSync } from 'node:child_process';

/** The unprivileged account that database servers run as when the tests run as root. */
export const TEST_USER = 'michat-test';

export interface ProcessUser {
  readonly uid: number;
  readonly gid: number;
}

let cached: ProcessUser | undefined;

/**
 * Who servers should run as: undefined (ourselves) unless we are root, because PostgreSQL
 * refuses to run as root. As root, TEST_USER is created on first use (a system account
 * with no home and no login shell) and returned.
 */
export function serverUser(): ProcessUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  cached ??= lookupUser() ?? createUser();
  return cached;
}

function lookupUser(): ProcessUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', TEST_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function createUser(): ProcessUser {
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', TEST_USER], { stdio: 'ignore' });
  } catch {
    // Another test process may have created it at the same moment; the lookup decides.
  }
  const user = lookupUser();
  if (user === undefined) throw new Error(`could not create the system user ${TEST_USER} (tests run as root need it to start PostgreSQL)`);
  return user;
}
