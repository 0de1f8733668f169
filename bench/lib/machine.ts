/** The machine a benchmark runs on, the commit it measures, and how busy things were. */
import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { arch, cpus, platform, release, tmpdir, totalmem } from 'node:os';
import type { UsageSample } from './child-ipc.ts';
import { sleep } from './sockets.ts';
import { round } from './stats.ts';

const FS_TYPES: Record<number, string> = { 0xef53: 'ext4', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x9123683e: 'btrfs', 0x58465342: 'xfs', 0x2fc12fc1: 'zfs', 0x6a656a63: 'fakeowner' };
function tmpFsType(): string {
  try {
    const t = statfsSync(tmpdir()).type;
    return FS_TYPES[t] ?? `0x${t.toString(16)}`;
  } catch {
    return 'unknown';
  }
}

/** The commit measured: BENCH_COMMIT if set (e.g. for an exported tree), else git's HEAD, else unknown. */
export function commitMeasured(): string {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

export function machineInfo() {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    platform: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    tempDirFilesystem: tmpFsType(),
  };
}

export interface SideUsage {
  /** CPU time over wall time, in % of one core. */
  cpuPercent: number;
  /** Event-loop utilization of the main thread, in %. */
  eventLoopPercent: number;
}

export function usageBetween(a: UsageSample, b: UsageSample): SideUsage {
  const wallMs = b.at - a.at;
  const cpuMs = (b.cpu.user - a.cpu.user + (b.cpu.system - a.cpu.system)) / 1000;
  const active = b.elu.active - a.elu.active;
  const idle = b.elu.idle - a.elu.idle;
  return { cpuPercent: round((cpuMs / wallMs) * 100), eventLoopPercent: round((active / (active + idle)) * 100) };
}

/** CPU busy time of the whole machine (all cores, ms), from os.cpus(). */
export function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times: t } of cpus()) {
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** Machine CPU busy between two readings, in % of one core (so up to cores × 100). */
export function machineBusyPercent(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  const total = b.total - a.total;
  return total > 0 ? round(((b.busy - a.busy) / total) * cpus().length * 100) : 0;
}

/** awaitQuiet waits until the machine is at most this busy (% of one core). */
export const QUIET_PERCENT = 20;
/** …within this much waiting over the whole run. */
export const QUIET_BUDGET_MS = 45_000;
let quietBudgetMs = QUIET_BUDGET_MS;

/**
 * Other sessions may share this machine. Before a measured round, wait (0.5 s steps) until
 * the machine is nearly idle while our processes are, within a budget for the whole run;
 * returns the busy % seen last.
 */
export async function awaitQuiet(): Promise<number> {
  for (;;) {
    const a = machineTimes();
    await sleep(500);
    const busy = machineBusyPercent(a, machineTimes());
    if (busy <= QUIET_PERCENT || quietBudgetMs <= 0) return busy;
    quietBudgetMs -= 500;
  }
}
