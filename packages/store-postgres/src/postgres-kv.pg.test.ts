import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runKvStoreTests, startPostgres, type PostgresServer } from '@michat/testkit';
import { KvUnavailableError } from '@michat/core';
import { applyMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { PostgresKvStore, type PostgresKvOptions } from './postgres-kv.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));

// One cluster for this file; every test gets its own database.
let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

runKvStoreTests('PostgresKvStore', async () => {
  const url = await server.createDatabase();
  return {
    store: await PostgresKvStore.open({ url }),
    reopen: () => PostgresKvStore.open({ url }),
  };
});

runKvStoreTests('PostgresKvStore (batches of 3 operations)', async () => {
  const url = await server.createDatabase();
  return {
    store: await PostgresKvStore.open({ url, maxBatchOperations: 3 }),
    reopen: () => PostgresKvStore.open({ url, maxBatchOperations: 3 }),
  };
});

async function deadlockCount(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ deadlocks: string }>('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]?.deadlocks ?? 0);
}

describe('PostgresKvStore', () => {
  const stores: PostgresKvStore[] = [];
  const clients: pg.Client[] = [];
  const open = async (options: PostgresKvOptions): Promise<PostgresKvStore> => {
    const store = await PostgresKvStore.open(options);
    stores.push(store);
    return store;
  };
  /** A plain connection beside the stores, to look at the database directly. */
  const connect = async (url: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined); // a restart ends it; the test using it has finished
    await client.connect();
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
  });

  it('two nodes (two pools) racing putIfAbsent and take on the same keys: exactly one winner each', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await open({ url }), await open({ url })];
    const nodes = [a, b];
    const rounds = 40;
    const claims = await Promise.all(
      Array.from({ length: rounds * 2 }, (_, index) => {
        // Indexes below `rounds` are node 0's claims, the rest node 1's: both claim every key.
        const round = index % rounds;
        const node = index < rounds ? 0 : 1;
        return nodes[node]!.putIfAbsent(`claim/${round}`, bytes(`node-${node}`), [[`claim-side/${round}/${node}`, bytes('side')]]);
      }),
    );
    for (let round = 0; round < rounds; round++) {
      const results = [claims[round], claims[round + rounds]];
      const winners = results.filter((result) => result === undefined);
      expect(winners, `round ${round}`).toHaveLength(1);
      const winner = results.indexOf(undefined);
      const loserSaw = text(results[1 - winner]);
      expect(loserSaw).toBe(`node-${winner}`);
      expect((await a.list(`claim-side/${round}/`)).map(([key]) => key)).toEqual([`claim-side/${round}/${winner}`]);
    }

    await Promise.all(Array.from({ length: rounds }, (_, round) => a.put(`ticket/${round}`, bytes(`ticket ${round}`))));
    // Three takers per ticket on each node.
    const takes = await Promise.all(Array.from({ length: rounds * 6 }, (_, index) => nodes[Math.floor(index / rounds) % 2]!.take(`ticket/${index % rounds}`)));
    for (let round = 0; round < rounds; round++) {
      const won = takes.filter((value, index) => index % rounds === round && value !== undefined);
      expect(won.map(text), `ticket ${round}`).toEqual([`ticket ${round}`]);
    }
    expect(await b.list('ticket/')).toEqual([]);
  });

  it('a write resolves only once another connection can read it', async () => {
    const url = await server.createDatabase();
    const store = await open({ url });
    const observer = await connect(url);
    await Promise.all(Array.from({ length: 50 }, (_, index) => store.put(`seen/${String(index).padStart(2, '0')}`, bytes(String(index)))));
    const { rows } = await observer.query<{ count: string }>("SELECT count(*) FROM kv WHERE key LIKE 'seen/%'");
    expect(rows[0]?.count).toBe('50');
  });

  it('keys compare byte-wise whatever the database locale', async () => {
    const url = await server.createDatabase();
    const store = await open({ url });
    // Under a linguistic collation these would sort case-insensitively or ignore punctuation.
    const keys = ['B', 'a', '_', 'A', 'b', '-x', 'a b', 'ab', 'a-b'];
    for (const key of keys) await store.put(key, bytes(key));
    expect((await store.list('')).map(([key]) => key)).toEqual([...keys].sort());
  });

  it('migrations are recorded once and are idempotent across restarts and concurrent starts', async () => {
    const url = await server.createDatabase();
    // Five nodes starting at once: the advisory lock lets one migrate; the others find it done.
    const starting = await Promise.all(Array.from({ length: 5 }, () => open({ url })));
    await starting[0]!.put('survives', bytes('restarts'));
    for (const store of stores.splice(0)) await store.close();

    const reopened = await open({ url });
    expect(text(await reopened.get('survives'))).toBe('restarts');
    const observer = await connect(url);
    const { rows } = await observer.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      expect(await applyMigrations(pool)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('a failing batch rejects all of its operations and writes none of them', async () => {
    const url = await server.createDatabase();
    const store = await open({ url });
    const saboteur = await connect(url);
    await saboteur.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'poisoned key'; END $$;
      CREATE TRIGGER poison BEFORE INSERT ON kv FOR EACH ROW WHEN (NEW.key = 'poison') EXECUTE FUNCTION refuse_poison();
    `);
    await store.put('before', bytes('committed earlier'));

    const results = await Promise.allSettled([store.put('innocent', bytes('same batch')), store.get('before'), store.put('poison', bytes('x'))]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(String((result as PromiseRejectedResult).reason)).toMatch(/poisoned key/);
    }
    expect(await store.get('innocent')).toBeUndefined();
    expect(text(await store.get('before'))).toBe('committed earlier');
    await store.put('after', bytes('fine'));
    expect((await store.list('')).map(([key]) => key)).toEqual(['after', 'before']);
  });

  it('two nodes locking the same keys in opposite orders both succeed (the deadlock is retried)', async () => {
    const url = await server.createDatabase();
    const admin = await connect(url);
    // Detect deadlocks fast, and make the write of a 'slow/…' key hold its batch's locks for a
    // while, so that the two batches below are certain to wait on each other.
    await admin.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET deadlock_timeout = '50ms'`);
    const [a, b] = [await open({ url }), await open({ url })]; // sessions from now on get the setting
    await admin.query(`
      CREATE FUNCTION linger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$;
      CREATE TRIGGER linger BEFORE INSERT ON kv FOR EACH ROW WHEN (NEW.key LIKE 'slow/%') EXECUTE FUNCTION linger();
    `);
    await a.put('hot/1', bytes('initial'));
    await a.put('hot/2', bytes('initial'));
    const deadlocksBefore = await deadlockCount(admin);

    const results = await Promise.allSettled([
      a.put('hot/1', bytes('a')),
      a.put('slow/a', bytes('a')),
      a.put('hot/2', bytes('a')),
      b.put('hot/2', bytes('b')),
      b.put('slow/b', bytes('b')),
      b.put('hot/1', bytes('b')),
    ]);
    expect(results.map((result) => result.status)).toEqual(Array(6).fill('fulfilled'));
    // Whichever batch was retried committed last, whole: both keys carry its value.
    const values = (await a.list('hot/')).map(([, value]) => text(value));
    expect([['a', 'a'], ['b', 'b']]).toContainEqual(values);
    expect((await b.list('slow/')).map(([key]) => key)).toEqual(['slow/a', 'slow/b']);
    // The server did detect a deadlock (statistics arrive within about a second).
    await expect.poll(() => deadlockCount(admin), { timeout: 5_000, interval: 100 }).toBeGreaterThan(deadlocksBefore);
  });

  it('while the database is down operations fail fast; after it returns they succeed again', async () => {
    const url = await server.createDatabase();
    const store = await open({ url, connectionTimeoutMs: 2_000 });
    await store.put('before', bytes('kept'));

    await server.kill('SIGINT'); // fast shutdown: sessions are ended, the server exits
    const started = performance.now();
    const down = await Promise.allSettled([store.put('during', bytes('x')), store.get('before'), store.list('')]);
    expect(down.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // Typed, so entry points answer a retryable Unavailable instead of Internal.
    for (const result of down) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(KvUnavailableError);
    expect(performance.now() - started).toBeLessThan(5_000);
    await expect(store.take('before')).rejects.toThrow();

    await server.restart();
    // The pool dropped its dead connections and connects again by itself.
    expect(text(await store.get('before'))).toBe('kept');
    await store.put('after', bytes('written'));
    expect((await store.list('')).map(([key]) => key)).toEqual(['after', 'before']);
  }, 120_000); // a server restart under load can take a while

  it('acknowledged writes survive a crash of the database server (SIGKILL)', async () => {
    const url = await server.createDatabase();
    const store = await open({ url });
    const count = 300;
    const keyOf = (index: number): string => `crash/${String(index).padStart(3, '0')}`;
    await Promise.all(Array.from({ length: count }, (_, index) => store.putIfAbsent(keyOf(index), bytes(`v${index}`), [[`${keyOf(index)}/index`, bytes('i')]])));

    await server.kill('SIGKILL');
    await server.restart(); // crash recovery replays the WAL

    const entries = await store.list('crash/');
    expect(entries).toHaveLength(count * 2);
    for (let index = 0; index < count; index++) expect(text(await store.get(keyOf(index)))).toBe(`v${index}`);
  }, 120_000); // a server restart under load can take a while

  it('open rejects quickly when the database is unreachable', async () => {
    const url = `postgres://postgres@127.0.0.1:${server.port}/no_such_database`;
    await expect(PostgresKvStore.open({ url, connectionTimeoutMs: 2_000 })).rejects.toThrow(/does not exist/);
  });
});
