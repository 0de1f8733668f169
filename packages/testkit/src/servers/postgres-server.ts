import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { removeOnExit, startServerProcess, stopServerProcess, type ServerProcess } from './server-process.ts';
import { serverUser } from './test-user.ts';

const run = promisify(execFile);

/** Where Debian installs each PostgreSQL major version (postgresql-<version>). */
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';
const READY_TIMEOUT_MS = 30_000;
/** Attempts to start on a fresh port when the one picked was taken in the meantime. */
const PORT_ATTEMPTS = 3;
/**
 * How long restart() keeps trying: backends of a SIGKILLed postmaster need a moment to
 * notice and exit, and until then the old shared memory is "still in use".
 */
const RESTART_PATIENCE_MS = 30_000;
const RESTART_RETRY_MS = 250;
/** Memory-backed, where Linux has it: see StartPostgresOptions.baseDir. */
const SHARED_MEMORY_DIR = '/dev/shm';

export interface PostgresServer {
  /** Superuser URL of the `postgres` database on 127.0.0.1 (trust authentication). */
  readonly url: string;
  readonly port: number;
  /** Creates an empty database and returns its URL: one per test keeps tests apart. */
  createDatabase(): Promise<string>;
  /** Fast shutdown, then deletes the cluster. Idempotent. */
  stop(): Promise<void>;
  /** Sends `signal` to the postmaster and waits until it has exited; the data stays for restart(). */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Stops the server if it runs (fast shutdown) and starts it again on the same port and data. */
  restart(): Promise<void>;
}

export interface StartPostgresOptions {
  /** `fsync` of the server (default on, as in production: commits wait for their WAL flush). */
  fsync?: boolean;
  /**
   * Where the cluster's directory goes. Default: /dev/shm when it exists (else the temp
   * dir). A fresh database is ~8 MB in ~1,000 files, and on a real disk every checkpoint
   * fsyncs each of them: a few dozen test databases make a shutdown take tens of seconds.
   * In memory, fsync is still called (the server behaves the same; a killed server still
   * has to recover from its WAL) but costs nothing. Benchmarks pass tmpdir() to measure
   * commits that reach a disk.
   */
  baseDir?: string;
}

/**
 * Starts a throwaway PostgreSQL cluster from the installed binaries: `initdb` into a temp
 * directory, then `postgres` on a free loopback port, its socket inside that directory.
 * Runs as an unprivileged user when the tests run as root (PostgreSQL refuses root).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = serverUser();
  const root = await mkdtemp(join(options.baseDir ?? defaultBaseDir(), 'michat-pg-'));
  const forget = removeOnExit(root);
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  await mkdir(socketDir);
  if (user !== undefined) {
    await chown(root, user.uid, user.gid);
    await chown(socketDir, user.uid, user.gid);
  }
  // --no-sync: the empty cluster need not be fsynced; the server itself runs with fsync.
  await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync'], {
    ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
  });

  const launch = (port: number): Promise<ServerProcess> =>
    startServerProcess({
      command: join(bin, 'postgres'),
      args: [
        ...['-D', dataDir, '-k', socketDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'],
        ...['-c', `fsync=${options.fsync === false ? 'off' : 'on'}`],
        // Dynamic shared memory as files in the data directory, so that a killed server
        // leaves nothing behind once the directory is gone (POSIX segments would stay).
        ...['-c', 'dynamic_shared_memory_type=mmap'],
      ],
      ready: /database system is ready to accept connections/,
      timeoutMs: READY_TIMEOUT_MS,
      // Immediate shutdown: the postmaster takes its backends down with it.
      parentDeathSignal: 'SIGQUIT',
    });

  let port = 0;
  let server: ServerProcess | undefined;
  for (let attempt = 1; server === undefined; attempt++) {
    port = await freePort();
    try {
      server = await launch(port);
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS || !/could not bind|already in use/i.test(String(error))) {
        await rm(root, { recursive: true, force: true });
        forget();
        throw error;
      }
    }
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  let stopped = false;
  let current: ServerProcess | undefined = server;

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    if (current === undefined) return;
    await stopServerProcess(current, signal);
    current = undefined;
  };

  return {
    url,
    port,
    async createDatabase() {
      const name = `michat_test_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGINT'); // SIGINT = fast shutdown: abort sessions, checkpoint, exit
      await rm(root, { recursive: true, force: true });
      forget();
    },
    kill: (signal) => halt(signal),
    async restart() {
      if (stopped) throw new Error('the PostgreSQL server was stopped');
      await halt('SIGINT');
      const deadline = Date.now() + RESTART_PATIENCE_MS;
      for (;;) {
        try {
          current = await launch(port);
          return;
        } catch (error) {
          if (Date.now() >= deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, RESTART_RETRY_MS));
        }
      }
    },
  };
}

function defaultBaseDir(): string {
  try {
    accessSync(SHARED_MEMORY_DIR, constants.W_OK);
    return SHARED_MEMORY_DIR;
  } catch {
    return tmpdir();
  }
}

/** The bin directory of the newest PostgreSQL in Debian's layout, else the one on PATH. */
function postgresBinDir(): string {
  const versions = existsSync(DEBIAN_POSTGRES_ROOT)
    ? readdirSync(DEBIAN_POSTGRES_ROOT)
        .filter((name) => /^\d+(\.\d+)?$/.test(name) && existsSync(join(DEBIAN_POSTGRES_ROOT, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] !== undefined) return join(DEBIAN_POSTGRES_ROOT, versions[0], 'bin');
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL is not installed (no initdb): run scripts/ensure-test-deps.sh');
}
