import { spawn, type ChildProcess } from 'node:child_process';

export interface ListeningProcess {
  child: ChildProcess;
  /** Group 1 of the `listening` pattern: the URL it printed. */
  url: string;
  exited: Promise<number | null>;
}

/**
 * Runs `node script …args` (a server, a relay) and resolves once its output matches
 * `listening`; rejects if it exits first or does not start within 30 s.
 */
export function startListening(script: string, args: string[], env: Record<string, string>, listening: RegExp): Promise<ListeningProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let out = '';
    const t = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${out}`)), 30_000);
    child.stderr.on('data', (d) => (out += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = listening.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ child, url: m[1]!, exited });
      }
    });
    void exited.then((code) => reject(new Error(`${args[0]} exited with ${code}:\n${out}`)));
  });
}
