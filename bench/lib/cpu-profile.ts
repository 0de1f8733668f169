/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function, self time by
 * package, and inclusive time of the functions that matter most. Paths are shown relative
 * to the repository (packages/…, node_modules/…, bench/…), never as this machine's paths.
 *
 * Standalone: `npx node bench/lib/cpu-profile.ts <file.cpuprofile> [top]`.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  fn: string;
  where: string;
  ms: number;
  percent: number;
}
export interface ProfileSummary {
  totalMs: number;
  /** Share of samples where the thread was idle (waiting in the event loop). */
  idlePercent: number;
  selfByFunction: ProfileRow[];
  selfByPackage: ProfileRow[];
  inclusiveByFunction: ProfileRow[];
}

/** Repository-relative location of a script URL. */
export function shortPath(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return url;
  const i = Math.max(url.lastIndexOf('/node_modules/'), -1);
  if (i >= 0) return url.slice(i + 1);
  for (const root of ['/packages/', '/bench/']) {
    const j = url.lastIndexOf(root);
    if (j >= 0) return url.slice(j + 1);
  }
  return url.replace(/^file:\/\/.*\//, '');
}

function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8 builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const p = shortPath(url);
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p) ?? /^packages\/([^/]+)/.exec(p);
  if (m) return p.startsWith('packages/') ? `@michat/${m[1]}` : m[1]!;
  return p.startsWith('bench/') ? 'bench' : p;
}

export function summarizeProfile(profile: Profile, top = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\u0000${n.callFrame.url}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const pkg = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000; // µs → ms: the time until the next sample
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    total += dt;
    const fn = node.callFrame.functionName;
    if (fn === '(idle)') idle += dt;
    const k = key(node);
    self.set(k, (self.get(k) ?? 0) + dt);
    const pk = packageOf(node.callFrame.url, fn);
    pkg.set(pk, (pkg.get(pk) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      const kk = key(n);
      if (seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + dt);
    }
  }
  const rows = (m: Map<string, number>, filter: (k: string) => boolean = () => true): ProfileRow[] =>
    [...m.entries()]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => {
        const [fn, where] = k.split('\u0000') as [string, string | undefined];
        const loc = where === undefined ? '' : where.startsWith(':') ? '(native)' : `${shortPath(where.slice(0, where.lastIndexOf(':')))}${where.slice(where.lastIndexOf(':'))}`;
        return { fn, where: loc, ms: Math.round(ms), percent: Math.round((ms / total) * 1000) / 10 };
      });
  const boring = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);
  return {
    totalMs: Math.round(total),
    idlePercent: Math.round((idle / total) * 1000) / 10,
    selfByFunction: rows(self),
    selfByPackage: rows(pkg),
    inclusiveByFunction: rows(incl, (k) => !boring.has(k.split('\u0000')[0]!) && !k.includes('node:internal/process/task_queues') && !k.includes('node:internal/timers') && !k.includes('node:events')),
  };
}

export async function summarizeProfileFile(file: string, top?: number): Promise<ProfileSummary> {
  return summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as Profile, top);
}

export function formatSummary(s: ProfileSummary): string {
  const fmt = (title: string, rows: ProfileRow[]) =>
    [title, ...rows.map((r) => `  ${r.percent.toFixed(1).padStart(5)}%  ${String(r.ms).padStart(6)} ms  ${r.fn}${r.where ? `  ${r.where}` : ''}`)].join('\n');
  return [
    `profile: ${s.totalMs} ms sampled, ${s.idlePercent}% idle`,
    fmt('self time by function:', s.selfByFunction),
    fmt('self time by package:', s.selfByPackage),
    fmt('inclusive time by function:', s.inclusiveByFunction),
  ].join('\n');
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile.ts <file.cpuprofile> [top]');
  console.log(formatSummary(await summarizeProfileFile(file, top ? Number(top) : 25)));
}
