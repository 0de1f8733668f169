import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The michat command as a user runs it (bin script, this Node). */
export const MICHAT_BIN = fileURLToPath(new URL('../bin/michat.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `michat …args` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MICHAT_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`michat ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CliServer {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  exited: Promise<number | null>;
}

/** Starts `michat serve --port 0 --data DIR` (no --data when undefined) and resolves once it prints its URL. */
export function serveCli(dataDir: string | undefined, extra: string[] = [], env: Record<string, string> = {}): Promise<CliServer> {
  return new Promise((resolve, reject) => {
    const where = dataDir === undefined ? [] : ['--data', dataDir];
    const child = spawn(process.execPath, [MICHAT_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...where, '--log-level', 'warn', ...extra], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let out = '';
    const t = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    child.stderr.on('data', (d) => (out += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /michat listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ child, url: m[1]!, wsUrl: `${m[1]!.replace(/^http/, 'ws')}/ws`, exited });
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}
