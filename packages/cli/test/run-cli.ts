import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startListening } from '@michat/testkit';

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
  const where = dataDir === undefined ? [] : ['--data', dataDir];
  return startListeningCli(['serve', '--host', '127.0.0.1', '--port', '0', ...where, '--log-level', 'warn', ...extra], env, /michat listening on (http:\/\/\S+)/);
}

/** Starts `michat relay --upstream URL --user USER --port 0 --data DIR` (password in env) and resolves once it prints its URL. */
export function relayCli(upstream: string, user: string, password: string, dataDir: string, extra: string[] = []): Promise<CliServer> {
  const args = ['relay', '--upstream', upstream, '--user', user, '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'warn', ...extra];
  return startListeningCli(args, { MICHAT_RELAY_PASSWORD: password }, /michat relay listening on (http:\/\/\S+)/);
}

/** Runs a long-lived `michat …` and resolves once its output matches `listening` (group 1: its URL). */
async function startListeningCli(args: string[], env: Record<string, string>, listening: RegExp): Promise<CliServer> {
  const p = await startListening(MICHAT_BIN, args, env, listening);
  return { ...p, wsUrl: `${p.url.replace(/^http/, 'ws')}/ws` };
}
