/**
 * CPU time of a server process that is not a Node child (PostgreSQL: the postmaster and its
 * backends), read from Linux's /proc. Elsewhere the readings are undefined.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Linux reports /proc times in clock ticks of 1/100 s (USER_HZ) on every common architecture. */
const TICK_MS = 10;

function stat(pid: string): { ppid: number; cpuTicks: number; childTicks: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state ppid … utime(14) stime(15) cutime(16) cstime(17), 1-based over the whole line.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

function pids(): string[] {
  try {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
}

/** The pid of the process whose command line has all of `args` in a row, or undefined. */
export function findProcess(args: string[]): number | undefined {
  for (const pid of pids()) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv.some((_, i) => args.every((a, j) => argv[i + j] === a))) return Number(pid);
  }
  return undefined;
}

/**
 * CPU time (ms) of `root` and its direct children so far, including children that exited
 * and were waited for (PostgreSQL's postmaster reaps its backends).
 */
export function processTreeCpuMs(root: number): number | undefined {
  const r = stat(String(root));
  if (!r) return undefined;
  let ticks = r.cpuTicks + r.childTicks;
  for (const pid of pids()) {
    const s = stat(pid);
    if (s?.ppid === root) ticks += s.cpuTicks;
  }
  return ticks * TICK_MS;
}
