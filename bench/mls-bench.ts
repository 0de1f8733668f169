/**
 * MLS library spike: ts-mls (pure TypeScript) beside @wireapp/core-crypto (OpenMLS in
 * WebAssembly), cipher suite 1 (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519). Not a test: no
 * thresholds, no pass/fail; it prints what it measured and writes bench/results/mls-<date>.json.
 * Run from the repository root: `npm run bench:mls`; options: `npm run -w bench bench:mls -- --help`.
 * Method and numbers: docs/benchmarks.md, "MLS library spike (ts-mls vs core-crypto)".
 *
 * For each group size N (each member its own KeyPackage, basic credential):
 *   build (one commit adding N − 1, Welcome with the ratchet tree), a member joining from it;
 *   then per repetition: one Add commit (+ Welcome), processed by an existing member, the
 *   newcomer joining and reading one message, one Remove commit, processed; the encoded
 *   group state (ts-mls); 200-byte application messages encrypted and decrypted per second.
 * In Node each library runs in its own child process, one after the other; in Chromium each in
 * its own page (the same scenario code, bundled with vite), timed in the page with
 * performance.now(). Bundle sizes: a minified client bundle of each, gzip -9.
 */
import { fork } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { awaitQuiet, commitMeasured, machineBusyPercent, machineInfo, machineTimes } from './lib/machine.ts';
import { formatNumber, round, table } from './lib/stats.ts';
import { buildBundle, dirBytes, fileSize, type Bundle, type BundleFile } from './mls/bundle.ts';
import { median, type GroupSizeResult, type MlsLibrary, type ScenarioOptions } from './mls/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.MICHAT_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A library's Node child, or one page run, that takes longer than this is stopped; what it finished is kept. */
const NODE_CAP_MS = 150_000;
const PAGE_CAP_MS = 90_000;

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,100,1000' },
    reps: { type: 'string', default: '5' },
    'reps-large': { type: 'string', default: '2' },
    'browser-sizes': { type: 'string', default: '10,100' },
    'app-messages': { type: 'string', default: '2000' },
    'app-ms': { type: 'string', default: '2000' },
    only: { type: 'string' },
    'no-browser': { type: 'boolean', default: false },
    child: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`npm run -w bench bench:mls -- [options]   (from the repository root)
  --sizes LIST          group sizes N measured in Node (10,100,1000)
  --reps N              Add/Remove repetitions per size below 1,000 (5)
  --reps-large N        … at 1,000 members and more (2)
  --browser-sizes LIST  group sizes measured in Chromium (10,100); empty for none
  --app-messages N      application messages per size, at most (2000)
  --app-ms MS           … or stop encrypting after this long (2000)
  --only LIB            ts-mls or core-crypto
  --no-browser          skip Chromium`);
  process.exit(0);
}
const int = (v: string | undefined, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not ${v}`);
  return n;
};
const list = (v: string | undefined, name: string) => (v ?? '').split(',').filter((s) => s.trim() !== '').map((s) => int(s.trim(), name));
const SIZES = list(opt.sizes, 'sizes').filter((n) => n >= 3);
const BROWSER_SIZES = list(opt['browser-sizes'], 'browser-sizes').filter((n) => n >= 3);
const REPS = Math.max(1, int(opt.reps, 'reps'));
const REPS_LARGE = Math.max(1, int(opt['reps-large'], 'reps-large'));
const APP_MESSAGES = Math.max(1, int(opt['app-messages'], 'app-messages'));
const APP_MS = Math.max(1, int(opt['app-ms'], 'app-ms'));
const repsFor = (n: number) => (n >= 1000 ? REPS_LARGE : REPS);
const scenario = (n: number): Omit<ScenarioOptions, 'log'> => ({ members: n, repetitions: repsFor(n), appMessages: APP_MESSAGES, appBudgetMs: APP_MS });
/** Run first and discarded, so that JIT and WebAssembly tier-up are not charged to the first size. */
const WARMUP: Omit<ScenarioOptions, 'log'> = { members: 4, repetitions: 2, appMessages: 200, appBudgetMs: 500 };

// ---- child mode: one library in Node, every size, results over IPC -----------------------------

type ChildMessage = { type: 'result'; result: GroupSizeResult } | { type: 'done'; cpuMs: number } | { type: 'error'; message: string };

if (opt.child) {
  const send = (m: ChildMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  try {
    const lib = opt.child as MlsLibrary;
    const runtime = `Node ${process.version}`;
    const log = (line: string) => console.log(`  ${line}`);
    if (lib === 'ts-mls') {
      const { runTsMls } = await import('./mls/ts-mls-scenario.ts');
      await runTsMls(WARMUP, runtime);
      for (const n of SIZES) await send({ type: 'result', result: await runTsMls({ ...scenario(n), log }, runtime) });
    } else {
      const { loadCoreCryptoInNode } = await import('./mls/core-crypto-node.ts');
      const { runCoreCrypto } = await import('./mls/core-crypto-scenario.ts');
      const { passiveKeyPackage } = await import('./mls/ts-mls-scenario.ts');
      const cc = await loadCoreCryptoInNode();
      await runCoreCrypto(cc, WARMUP, runtime, passiveKeyPackage);
      for (const n of SIZES) await send({ type: 'result', result: await runCoreCrypto(cc, { ...scenario(n), log }, `${runtime} (browser build, window shim)`, passiveKeyPackage) });
    }
    const cpu = process.cpuUsage();
    await send({ type: 'done', cpuMs: (cpu.user + cpu.system) / 1000 });
  } catch (e) {
    await send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  process.exit(0);
}

// ---- the parent ----------------------------------------------------------------------------------

/** What the page bundles (mls/page-*.ts) put on window. */
interface PageApi {
  mlsBenchTsMls(o: Omit<ScenarioOptions, 'log'>): Promise<GroupSizeResult>;
  mlsBenchCoreCrypto(o: Omit<ScenarioOptions, 'log'>, wasmUrl: string): Promise<GroupSizeResult>;
}

interface LibraryRun {
  library: MlsLibrary;
  runtime: string;
  results: GroupSizeResult[];
  wallMs: number;
  /** Machine CPU busy while it ran, minus the child's own CPU, in % of one core (Node only). */
  otherLoadPercent?: number;
  /** Machine CPU busy while it ran (all processes), in % of one core. */
  machineBusyPercent: number;
  error?: string;
}

const started = performance.now();
const notes: string[] = [];
const ccDir = await import('./mls/core-crypto-node.ts').then((m) => m.coreCryptoDir());
const wantTsMls = !opt.only || opt.only === 'ts-mls';
const wantCoreCrypto = (!opt.only || opt.only === 'core-crypto') && ccDir !== undefined;
if ((!opt.only || opt.only === 'core-crypto') && !ccDir) notes.push('@wireapp/core-crypto is not installed (an optional dependency of bench): measured ts-mls only');

function runNodeChild(library: MlsLibrary): Promise<LibraryRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const m0 = machineTimes();
    const results: GroupSizeResult[] = [];
    const child = fork(fileURLToPath(import.meta.url), ['--child', library, '--sizes', SIZES.join(','), '--reps', String(REPS), '--reps-large', String(REPS_LARGE), '--app-messages', String(APP_MESSAGES), '--app-ms', String(APP_MS)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let cpuMs: number | undefined;
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = `stopped after ${NODE_CAP_MS / 1000} s; sizes finished: ${results.map((r) => r.members).join(', ') || 'none'}`;
      child.kill('SIGKILL');
    }, NODE_CAP_MS);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'result') results.push(m.result);
      else if (m.type === 'done') cpuMs = m.cpuMs;
      else error = m.message;
    });
    child.on('exit', () => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      const busy = machineBusyPercent(m0, machineTimes());
      resolve({
        library,
        runtime: `Node ${process.version}`,
        results,
        wallMs,
        machineBusyPercent: busy,
        ...(cpuMs !== undefined ? { otherLoadPercent: round(Math.max(0, busy - (cpuMs / wallMs) * 100)) } : {}),
        ...(error ? { error } : {}),
      });
    });
  });
}

/** Serves the page's files from memory on 127.0.0.1. */
async function serve(files: Record<string, { body: Buffer; type: string }>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]!];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' }).end(f.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function runBrowser(workDir: string): Promise<{ runs: LibraryRun[]; version: string }> {
  const libs: MlsLibrary[] = [...(wantTsMls ? (['ts-mls'] as const) : []), ...(wantCoreCrypto ? (['core-crypto'] as const) : [])];
  const files: Record<string, { body: Buffer; type: string }> = {
    '/': { body: Buffer.from('<!doctype html><meta charset="utf-8"><title>mls bench</title><p>mls bench</p>'), type: 'text/html' },
  };
  const pageDir = join(workDir, 'page');
  for (const lib of libs) {
    const b = await buildBundle(join(here, 'mls', `page-${lib}.ts`), join(pageDir, lib), lib);
    for (const f of b.files) files[`/${f.file}`] = { body: await readFile(join(pageDir, lib, f.file)), type: 'text/javascript' };
  }
  if (wantCoreCrypto) {
    const { coreCryptoWasmPath } = await import('./mls/core-crypto-node.ts');
    files['/core-crypto.wasm'] = { body: await readFile(coreCryptoWasmPath(ccDir!)), type: 'application/wasm' };
  }
  const { url, server } = await serve(files);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const runs: LibraryRun[] = [];
  try {
    for (const lib of libs) {
      const page = await browser.newPage();
      page.on('console', (m) => console.log(`  [page] ${m.text()}`));
      page.on('response', (r) => {
        if (r.status() >= 400) console.log(`  [page] ${r.status()} ${r.url()}`);
      });
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${url}/`);
      await page.addScriptTag({ url: `/${lib}.js`, type: 'module' });
      const fn = lib === 'ts-mls' ? 'mlsBenchTsMls' : 'mlsBenchCoreCrypto';
      await page.waitForFunction((name) => typeof (window as unknown as Record<string, unknown>)[name] === 'function', fn, { timeout: 30_000 });
      const wasmUrl = `${url}/core-crypto.wasm`;
      const measure = (o: Omit<ScenarioOptions, 'log'>) =>
        lib === 'ts-mls'
          ? page.evaluate((x) => (window as unknown as PageApi).mlsBenchTsMls(x), o)
          : page.evaluate(([x, wasm]) => (window as unknown as PageApi).mlsBenchCoreCrypto(x, wasm), [o, wasmUrl] as const);
      await measure(WARMUP);
      await awaitQuiet();
      const t0 = performance.now();
      const m0 = machineTimes();
      const results: GroupSizeResult[] = [];
      let error: string | undefined;
      for (const n of BROWSER_SIZES) {
        const left = PAGE_CAP_MS - (performance.now() - t0);
        let timer: NodeJS.Timeout | undefined;
        const r = await Promise.race([measure(scenario(n)), new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, left))))])
          .catch((e: unknown) => {
            error = e instanceof Error ? e.message : String(e);
            return undefined;
          })
          .finally(() => clearTimeout(timer));
        if (r === 'timeout') {
          error = `stopped after ${PAGE_CAP_MS / 1000} s at N=${n}`;
          break;
        }
        if (!r) break;
        results.push(r);
      }
      if (pageErrors.length && !error) error = pageErrors.join('; ');
      runs.push({ library: lib, runtime: results[0]?.runtime ?? `Chromium ${browser.version()}`, results, wallMs: performance.now() - t0, machineBusyPercent: machineBusyPercent(m0, machineTimes()), ...(error ? { error } : {}) });
      await page.close();
    }
    return { runs, version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

// ---- sizes of what a client ships -------------------------------------------------------------

interface Footprint {
  library: MlsLibrary;
  version: string;
  /** node_modules bytes of the package and its own dependencies. */
  installBytes: number;
  installNote: string;
  bundle: Bundle;
  wasm?: BundleFile;
}

async function packageVersion(dir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

async function footprints(workDir: string): Promise<Footprint[]> {
  const out: Footprint[] = [];
  const nm = (spec: string) => fileURLToPath(new URL('.', import.meta.resolve(spec)));
  if (wantTsMls) {
    // ts-mls resolves to dist/src/index.js; its dependencies are @hpke/core (+ @hpke/common) and the peer @noble/ciphers.
    const tsMlsDir = join(nm('ts-mls'), '../..');
    const deps = ['@hpke/core', '@hpke/common', '@noble/ciphers'];
    let bytes = await dirBytes(tsMlsDir);
    for (const d of deps) {
      const dir = join(tsMlsDir, '..', d);
      bytes += await access(dir).then(() => dirBytes(dir), () => 0);
    }
    out.push({
      library: 'ts-mls',
      version: await packageVersion(tsMlsDir),
      installBytes: bytes,
      installNote: `ts-mls + ${deps.join(', ')}`,
      bundle: await buildBundle(join(here, 'mls', 'ts-mls-client-entry.ts'), join(workDir, 'bundle-ts-mls'), 'ts-mls-client'),
    });
  }
  if (wantCoreCrypto) {
    const { coreCryptoWasmPath } = await import('./mls/core-crypto-node.ts');
    out.push({
      library: 'core-crypto',
      version: await packageVersion(ccDir!),
      installBytes: await dirBytes(ccDir!),
      installNote: 'one package: browser JS + .wasm, Node JS + native libraries for Linux x64 and macOS',
      bundle: await buildBundle(join(here, 'mls', 'core-crypto-client-entry.ts'), join(workDir, 'bundle-core-crypto'), 'core-crypto-client'),
      wasm: await fileSize(coreCryptoWasmPath(ccDir!)),
    });
  }
  return out;
}

// ---- report -----------------------------------------------------------------------------------

const kib = (b: number | undefined) => (b === undefined ? '—' : b >= 10 * 1024 * 1024 ? `${formatNumber(round(b / 1024 / 1024, 1))} MiB` : `${formatNumber(round(b / 1024, 1))} KiB`);
const bytes = (b: number | undefined) => (b === undefined ? '—' : formatNumber(b));
const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : v >= 100 ? formatNumber(Math.round(v)) : formatNumber(round(v, 2)));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b || Number.isNaN(a) || Number.isNaN(b) ? '—' : `${round(a / b, 2).toFixed(2)}×`);

/** Median of the repetitions after the first (undefined with one repetition). */
const later = (xs: number[]) => (xs.length > 1 ? median(xs.slice(1)) : undefined);
const sum = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a + b);

interface Row {
  label: string;
  get: (r: GroupSizeResult) => number | undefined;
  show: (v: number | undefined) => string;
}
const ROWS: Row[] = [
  { label: 'KeyPackage, ms each', get: (r) => r.keyPackageMs, show: ms },
  { label: 'KeyPackage, bytes', get: (r) => r.keyPackageBytes, show: bytes },
  { label: 'build: commit adding N−1, ms', get: (r) => r.build.ms, show: ms },
  { label: 'build: commit, bytes', get: (r) => r.build.commitBytes, show: bytes },
  { label: 'build: Welcome (with tree), bytes', get: (r) => r.build.welcomeBytes, show: bytes },
  { label: 'build: GroupInfo (tree, external pub), bytes', get: (r) => r.build.groupInfoBytes, show: bytes },
  { label: 'member joins from that Welcome, ms', get: (r) => r.buildJoinMs, show: ms },
  { label: 'Add 1: commit + Welcome, ms', get: (r) => r.add.ms.medianMs, show: ms },
  { label: 'Add 1: commit, bytes', get: (r) => r.add.commitBytes, show: bytes },
  { label: 'Add 1: Welcome, bytes', get: (r) => r.add.welcomeBytes, show: bytes },
  { label: 'Add 1: GroupInfo (tree, external pub), bytes', get: (r) => r.add.groupInfoBytes, show: bytes },
  { label: 'Add 1: commit + Welcome + GroupInfo, bytes', get: (r) => r.add.commitBytes + r.add.welcomeBytes + r.add.groupInfoBytes, show: bytes },
  { label: 'Add 1: making the GroupInfo (ts-mls), ms', get: (r) => r.add.groupInfoMs, show: ms },
  { label: 'Add 1: member processes commit, ms', get: (r) => r.addProcess.medianMs, show: ms },
  { label: 'newcomer joins, no path commit yet (rep 1), ms', get: (r) => r.join.samplesMs[0], show: ms },
  { label: 'newcomer joins after a Remove (reps 2+), ms', get: (r) => later(r.join.samplesMs), show: ms },
  { label: 'newcomer reads 1st message, ms', get: (r) => r.firstRead.medianMs, show: ms },
  { label: 'join + read, rep 1, ms', get: (r) => r.join.samplesMs[0]! + r.firstRead.samplesMs[0]!, show: ms },
  { label: 'join + read after a Remove, ms', get: (r) => sum(later(r.join.samplesMs), later(r.firstRead.samplesMs)), show: ms },
  { label: 'Remove 1: commit, ms', get: (r) => r.remove.ms.medianMs, show: ms },
  { label: 'Remove 1: commit, bytes', get: (r) => r.remove.commitBytes, show: bytes },
  { label: 'Remove 1: member processes, ms', get: (r) => r.removeProcess.medianMs, show: ms },
  { label: '2nd of 2 Adds after a Remove joins, ms', get: (r) => (r.churnJoin.ok ? r.churnJoin.ms : NaN), show: (v) => (v !== undefined && Number.isNaN(v) ? 'FAILS' : ms(v)) },
  { label: 'group state per member, bytes', get: (r) => r.stateBytes, show: bytes },
  { label: '… without the ratchet tree, bytes', get: (r) => r.stateBytesWithoutTree, show: bytes },
  { label: '… current epoch only (no past epochs), bytes', get: (r) => r.stateBytesCurrentEpoch, show: bytes },
  { label: 'state encode, ms', get: (r) => r.stateEncode?.medianMs, show: ms },
  { label: 'state decode, ms', get: (r) => r.stateDecode?.medianMs, show: ms },
  { label: 'encrypt 200 B, msg/s', get: (r) => r.app.encryptPerSec, show: (v) => (v === undefined ? '—' : formatNumber(Math.round(v))) },
  { label: 'decrypt 200 B, msg/s', get: (r) => r.app.decryptPerSec, show: (v) => (v === undefined ? '—' : formatNumber(Math.round(v))) },
  { label: 'application message, bytes', get: (r) => r.app.ciphertextBytes, show: bytes },
];

function comparison(runs: LibraryRun[], sizes: number[]): string {
  const ts = runs.find((r) => r.library === 'ts-mls');
  const cc = runs.find((r) => r.library === 'core-crypto');
  const header = ['', ...sizes.flatMap((n) => (ts && cc ? [`N=${n} ts-mls`, 'core-crypto', 'ratio'] : [`N=${n} ${(ts ?? cc)!.library}`]))];
  const rows: Array<Array<string | number>> = [header];
  for (const row of ROWS) {
    const line: string[] = [row.label];
    for (const n of sizes) {
      const a = ts?.results.find((r) => r.members === n);
      const b = cc?.results.find((r) => r.members === n);
      const va = a ? row.get(a) : undefined;
      const vb = b ? row.get(b) : undefined;
      if (ts && cc) line.push(a ? row.show(va) : '—', b ? row.show(vb) : '—', ratio(va, vb));
      else line.push(row.show(va ?? vb));
    }
    rows.push(line);
  }
  return table(rows);
}

// ---- main -------------------------------------------------------------------------------------

const workDir = await mkdtemp(join(tmpdir(), 'michat-mls-bench-'));
const report: Record<string, unknown> = { date: new Date().toISOString(), commit: commitMeasured(), machine: machineInfo(), cipherSuite: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (1)' };
try {
  report.settings = { sizes: SIZES, browserSizes: BROWSER_SIZES, reps: REPS, repsLarge: REPS_LARGE, appMessages: APP_MESSAGES, appMs: APP_MS };
  console.log(`MLS spike: sizes ${SIZES.join(', ')} in Node, ${BROWSER_SIZES.join(', ') || 'none'} in Chromium; ${REPS} repetitions (${REPS_LARGE} at ≥ 1,000)`);

  const fp = await footprints(workDir);
  report.footprints = fp;

  const nodeRuns: LibraryRun[] = [];
  for (const lib of [...(wantTsMls ? (['ts-mls'] as const) : []), ...(wantCoreCrypto ? (['core-crypto'] as const) : [])]) {
    const quiet = await awaitQuiet();
    console.log(`${lib} in Node (machine ${quiet}% busy before) …`);
    const run = await runNodeChild(lib);
    nodeRuns.push(run);
    if (run.error) console.log(`  ${lib}: ${run.error}`);
  }
  report.node = nodeRuns;

  let browserRuns: LibraryRun[] = [];
  let chromiumVersion: string | undefined;
  if (!opt['no-browser'] && BROWSER_SIZES.length) {
    const haveChromium = await access(CHROMIUM).then(() => true, () => false);
    if (!haveChromium) notes.push(`${CHROMIUM} is missing (apt-get install chromium): nothing measured in the browser`);
    else {
      console.log('Chromium …');
      const b = await runBrowser(workDir);
      browserRuns = b.runs;
      chromiumVersion = b.version;
      for (const r of browserRuns) if (r.error) console.log(`  ${r.library} in Chromium: ${r.error}`);
    }
  }
  report.chromium = { version: chromiumVersion, runs: browserRuns };
  report.notes = notes;
  report.wallSeconds = round((performance.now() - started) / 1000);

  // Print.
  console.log(`\nMLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519; ratio = ts-mls ÷ core-crypto (times and bytes: above 1 means ts-mls is slower/larger; msg/s: above 1 means ts-mls is faster)\n`);
  if (nodeRuns.some((r) => r.results.length)) {
    console.log(`Node ${process.version}:`);
    console.log(comparison(nodeRuns, SIZES));
    for (const r of nodeRuns) console.log(`  ${r.library}: ${round(r.wallMs / 1000)} s, machine ${r.machineBusyPercent}% busy, other load ${r.otherLoadPercent ?? '?'}%`);
  }
  if (browserRuns.some((r) => r.results.length)) {
    console.log(`\nChromium ${chromiumVersion}:`);
    console.log(comparison(browserRuns, BROWSER_SIZES.filter((n) => browserRuns.some((r) => r.results.some((x) => x.members === n)))));
    for (const r of browserRuns) console.log(`  ${r.library}: ${round(r.wallMs / 1000)} s, machine ${r.machineBusyPercent}% busy`);
  }
  console.log('\nWhat a client ships (minified, gzip -9):');
  const fpRows: Array<Array<string | number>> = [['library', 'version', 'JS minified', 'JS gzip', '.wasm', '.wasm gzip', 'total gzip', 'installed (node_modules)']];
  for (const f of fp) {
    fpRows.push([f.library, f.version, kib(f.bundle.totalBytes), kib(f.bundle.totalGzipBytes), kib(f.wasm?.bytes), kib(f.wasm?.gzipBytes), kib(f.bundle.totalGzipBytes + (f.wasm?.gzipBytes ?? 0)), kib(f.installBytes)]);
  }
  console.log(table(fpRows));
  for (const n of notes) console.log(`note: ${n}`);
  const resultsDir = join(here, 'results');
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `mls-${new Date().toISOString().slice(0, 10)}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${round((performance.now() - started) / 1000)} s in all; wrote bench/results/${file.split('/').pop()}`);
} finally {
  await rm(workDir, { recursive: true, force: true });
}
