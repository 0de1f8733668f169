import { freePort } from './free-port.ts';
import { startServerProcess, stopServerProcess, type ServerProcess } from './server-process.ts';

const READY_TIMEOUT_MS = 15_000;
const PORT_ATTEMPTS = 3;

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Shuts the server down. Idempotent. */
  stop(): Promise<void>;
  /** Sends `signal` and waits until the server has exited; restart() brings it back. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Stops the server if it runs and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
}

/**
 * Starts a throwaway `redis-server` on a free loopback port with persistence off (no RDB
 * snapshots, no AOF): a restart comes back empty, like a lost cache node. Tests share one
 * server by giving every test its own key/channel prefix.
 */
export async function startRedis(): Promise<RedisServer> {
  const launch = (port: number): Promise<ServerProcess> =>
    startServerProcess({
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ready: /Ready to accept connections/,
      timeoutMs: READY_TIMEOUT_MS,
      parentDeathSignal: 'SIGKILL',
    });

  let port = 0;
  let current: ServerProcess | undefined;
  for (let attempt = 1; current === undefined; attempt++) {
    port = await freePort();
    try {
      current = await launch(port);
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS || !/in use|could not create server/i.test(String(error))) throw error;
    }
  }
  let stopped = false;
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    if (current === undefined) return;
    await stopServerProcess(current, signal);
    current = undefined;
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      stopped = true;
      await halt('SIGTERM');
    },
    kill: (signal) => halt(signal),
    async restart() {
      if (stopped) throw new Error('the Redis server was stopped');
      await halt('SIGTERM');
      current = await launch(port);
    },
  };
}
