import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { serverUser } from './test-user.ts';

/** How much of a server's recent output is kept for error messages. */
const OUTPUT_TAIL_CHARS = 8_000;
/**
 * How long a server gets to exit after a polite signal before it is killed. Generous: a
 * PostgreSQL shutdown checkpoint on a busy disk can take many seconds, and killing it
 * leaves backends behind that block the next start.
 */
const STOP_GRACE_MS = 60_000;

export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Output that means "accepting connections". */
  readonly ready: RegExp;
  readonly timeoutMs: number;
  /**
   * Sent to the server by the kernel if this process dies without stopping it (Linux
   * PR_SET_PDEATHSIG through `setpriv`), so no test run leaves servers behind.
   */
  readonly parentDeathSignal: NodeJS.Signals;
}

/** A started server process and the tail of what it printed. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<void>;
  output(): string;
}

/** Runs `command` (as the test user when we are root) and waits until it prints `ready`. */
export async function startServerProcess(spec: ServerCommand): Promise<ServerProcess> {
  const user = serverUser();
  const wrapper = setprivArgs(spec.parentDeathSignal, user);
  const child = spawn(wrapper === undefined ? spec.command : 'setpriv', wrapper === undefined ? spec.args : [...wrapper, '--', spec.command, ...spec.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Without setpriv, Node drops to the user itself (no parent-death signal then).
    ...(wrapper === undefined && user !== undefined ? { uid: user.uid, gid: user.gid } : {}),
  });
  let tail = '';
  let onOutput: (() => void) | undefined;
  const append = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    onOutput?.();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: ServerProcess = { child, exited, output: () => tail };
  installExitHook();
  liveProcesses.add(child);
  void exited.then(() => liveProcesses.delete(child));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${spec.command} was not ready within ${spec.timeoutMs} ms`)), spec.timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      onOutput = undefined;
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- output ---\n${tail}`));
    };
    onOutput = () => {
      if (!spec.ready.test(tail)) return;
      clearTimeout(timer);
      onOutput = undefined;
      resolve();
    };
    child.once('error', (error) => fail(error));
    void exited.then(() => fail(new Error(`${spec.command} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready`)));
  });
  return server;
}

/** Sends `signal` and waits for the exit; SIGKILL if it takes longer than STOP_GRACE_MS. */
export async function stopServerProcess(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_GRACE_MS);
  await server.exited;
  clearTimeout(timer);
}

/** Registers a directory to delete if the process exits while a test still uses it. */
export function removeOnExit(dir: string): () => void {
  installExitHook();
  leftoverDirs.add(dir);
  return () => leftoverDirs.delete(dir);
}

const liveProcesses = new Set<ChildProcess>();
const leftoverDirs = new Set<string>();
let exitHookInstalled = false;

/**
 * Last resort for a test that forgot stop(): servers get SIGKILL (their data is throwaway)
 * and their directories go. Installed with the first server, not at import. A process
 * killed by a signal skips this; the parent-death signal covers that case.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveProcesses) child.kill('SIGKILL');
    for (const dir of leftoverDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });
}

let setprivAvailable: boolean | undefined;

/** `setpriv` arguments that set the parent-death signal (and drop to `user`), if it exists. */
function setprivArgs(signal: NodeJS.Signals, user: { uid: number; gid: number } | undefined): string[] | undefined {
  setprivAvailable ??= hasSetpriv();
  if (!setprivAvailable) return undefined;
  const args = ['--pdeathsig', signal.replace(/^SIG/, '')];
  if (user !== undefined) args.push(`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups');
  return args;
}

function hasSetpriv(): boolean {
  if (process.platform !== 'linux') return false;
  return spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
}
