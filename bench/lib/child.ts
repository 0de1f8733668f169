/** Starts a server child (fork, with IPC) and talks to it: see child-ipc.ts for the messages. */
import { fork, type ChildProcess } from 'node:child_process';
import type { ChildMessage, ParentMessage, UsageSample } from './child-ipc.ts';

export interface ServerChild {
  readonly pid: number;
  readonly url: string;
  readonly wsUrl: string;
  readonly info: Record<string, unknown>;
  usage(): Promise<UsageSample>;
  /** Starts the child's CPU profiler (node:inspector); `profileStop` writes it to `file`. */
  profileStart(): void;
  profileStop(file: string): Promise<void>;
  /** Asks the child to close and waits for it to exit (SIGKILL after `ms`). */
  stop(ms?: number): Promise<void>;
}

export interface StartOptions {
  /** Extra Node flags for the child. */
  execArgv?: string[];
  readyTimeoutMs?: number;
}

export async function startChild(file: URL, args: string[], options: StartOptions = {}): Promise<ServerChild> {
  const child: ChildProcess = fork(file, args, { execArgv: options.execArgv ?? [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Extract<ChildMessage, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file.pathname.split('/').pop()} did not start within ${options.readyTimeoutMs ?? 30_000} ms`)), options.readyTimeoutMs ?? 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file.pathname.split('/').pop()} exited (${code}) before it was ready`));
    });
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      }
    });
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  const send = (m: ParentMessage) => child.send(m);
  return {
    pid: child.pid!,
    url: ready.url,
    wsUrl: ready.wsUrl,
    info: ready.info,
    usage: () =>
      new Promise<UsageSample>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server child did not report its usage')), 10_000);
        const onMessage = (m: ChildMessage) => {
          if (m.type !== 'usage') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(m.usage);
        };
        child.on('message', onMessage);
        send({ type: 'usage' });
      }),
    profileStart: () => send({ type: 'profile-start' }),
    profileStop: (file) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server child did not write its profile')), 30_000);
        const onMessage = (m: ChildMessage) => {
          if (m.type !== 'profiled' || m.file !== file) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          if (m.error) reject(new Error(`profile: ${m.error}`));
          else resolve();
        };
        child.on('message', onMessage);
        send({ type: 'profile-stop', file });
      }),
    async stop(ms = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(timer);
    },
  };
}
