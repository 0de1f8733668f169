import { open, readFile, rm } from 'node:fs/promises';

/**
 * Claims a folder for this process with a lock file holding its pid. A lock left by a
 * process that is gone (crashed, killed) is taken over; one held by a live process is an
 * error, since two processes writing one store would hand out the same names.
 */
export async function claimFolder(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(lockPath, 'wx', 0o600);
      await file.writeFile(String(process.pid));
      await file.close();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`the michat store ${lockPath.replace(/[/\\]lock$/, '')} is in use by process ${holder}`);
    }
    await rm(lockPath, { force: true }); // stale: its process is gone
  }
  throw new Error(`cannot claim ${lockPath}`);
}

export async function releaseFolder(lockPath: string): Promise<void> {
  await rm(lockPath, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, just not ours
  }
}
