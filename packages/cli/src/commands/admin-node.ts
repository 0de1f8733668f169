import type { Command } from 'commander';
import type { MichatNode, OrgRecord, TeamRecord, UserRecord } from '@michat/core';
import { api } from '@michat/protocol';
import { CliError } from '../output.ts';

/** Options every offline admin command takes. */
export interface AdminOptions {
  data?: string;
  database?: string;
  redis?: string;
  clusterPrefix?: string;
  json?: boolean;
}

/** Adds the options every admin command takes: where the data is, and --json. */
export function adminOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory (env MICHAT_DATA; default ./michat-data)')
    .option('--database <url>', "a cluster's PostgreSQL URL instead of a data directory (env MICHAT_DATABASE_URL)")
    .option('--redis <url>', "the cluster's Redis URL: running nodes hear of revocations at once (env MICHAT_REDIS_URL)")
    .option('--cluster-prefix <p>', "the cluster's prefix in Redis (env MICHAT_CLUSTER_PREFIX, default michat/)")
    .option('--json', 'print JSON');
}

/** The data directory: --data, else MICHAT_DATA, else ./michat-data (as `michat serve`). */
export function dataDir(o: AdminOptions): string {
  return o.data ?? process.env.MICHAT_DATA ?? './michat-data';
}

/** Where the command works, for its messages. */
export function storeName(o: AdminOptions): string {
  return databaseUrl(o) !== undefined ? 'the database' : dataDir(o);
}

function databaseUrl(o: AdminOptions): string | undefined {
  return o.database ?? process.env.MICHAT_DATABASE_URL;
}

/**
 * Runs `fn` on a node over the data directory, offline (no server, no network), or over a
 * cluster's database (and its bus, when given, so that running nodes hear of what changed
 * at once). SQLite in WAL mode lets this run beside a server on the same directory.
 */
export async function withNode<T>(o: AdminOptions, fn: (node: MichatNode) => Promise<T>): Promise<T> {
  const { MichatNode, silentLogger } = await import('@michat/core');
  const { DEFAULT_SERVER_CONFIG, checkConfig, openSharedParts, openStore, scryptHasher } = await import('@michat/server');
  const url = databaseUrl(o);
  if (url === undefined) {
    const node = new MichatNode({ kv: await openStore(dataDir(o)), hasher: scryptHasher });
    try {
      return await fn(node);
    } finally {
      await node.close();
    }
  }
  const config = {
    ...DEFAULT_SERVER_CONFIG,
    databaseUrl: url,
    redisUrl: o.redis ?? process.env.MICHAT_REDIS_URL,
    clusterPrefix: o.clusterPrefix ?? process.env.MICHAT_CLUSTER_PREFIX ?? DEFAULT_SERVER_CONFIG.clusterPrefix,
  };
  try {
    checkConfig(config);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const shared = await openSharedParts(config, silentLogger);
  const node = new MichatNode({ kv: shared.kv, hasher: scryptHasher, ...(shared.bus ? { bus: shared.bus } : {}) });
  try {
    await node.start();
    return await fn(node);
  } finally {
    await node.close();
    await shared.close();
  }
}

export function valid(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }, value: unknown, what: string): void {
  const r = schema.safeParse(value);
  if (!r.success) throw new CliError(`${what}: ${r.error?.issues[0]?.message ?? 'invalid'}`);
}

export function handle(value: string, what: string): string {
  valid(api.Handle, value, what);
  return value;
}

/** The org named by --org, or the only one when there is exactly one. */
export async function findOrg(node: MichatNode, name: string | undefined): Promise<OrgRecord> {
  const orgs = await node.directory.allOrgs();
  if (name === undefined) {
    if (orgs.length === 1) return orgs[0]!;
    throw new CliError(orgs.length ? `give --org (one of: ${orgs.map((o) => o.name).join(', ')})` : 'no organization yet: run michat admin init');
  }
  const org = orgs.find((o) => o.name === name);
  if (!org) throw new CliError(`no organization "${name}"`);
  return org;
}

export async function findUser(node: MichatNode, username: string): Promise<UserRecord> {
  const user = await node.directory.userByName(username);
  if (!user) throw new CliError(`no user "${username}"`);
  return user;
}

export async function findTeam(node: MichatNode, org: OrgRecord, name: string): Promise<TeamRecord> {
  const team = await node.directory.teamByName(org.id, name);
  if (!team) throw new CliError(`no team "${name}" in organization "${org.name}"`);
  return team;
}
