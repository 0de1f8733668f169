import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, type Channel, type MichatObject, type Team } from '@michat/protocol';
import { DirectoryApi, MemoryStore, MichatClient, type ChannelView } from '../../src/index.ts';
import { PASSWORD, eventually, sleep } from '../fixture.ts';
import { startBackends, startCluster, type Cluster } from './cluster-fixture.ts';

const run = promisify(execFile);

const USERS = 10;
const DEVICES_PER_USER = 2;
const NODES = 3;
/** In every text: a scan that finds one found a leak, never a coincidence. */
const SALT = randomBytes(6).toString('hex');
/** Pace of the chat: two messages per tick. */
const CHAT_TICK_MS = 150;

/** One device: a client with its own store, on node `index % 3`. */
interface Device {
  index: number;
  user: number;
  client: MichatClient;
  store: MemoryStore;
  errors: Error[];
  views: Map<string, ChannelView>;
}

interface Sent {
  text: string;
  object: MichatObject;
}

/**
 * The cluster tests for end-to-end encryption: 20 devices (10 users × 2) spread over
 * 3 nodes that share PostgreSQL and Redis; channel membership changes through every node at
 * once while they chat. Every wait is bounded.
 */
describe('end-to-end encryption on a cluster of 3 nodes', () => {
  let backends: Awaited<ReturnType<typeof startBackends>>;
  let cluster: Cluster;
  let team: Team;
  let bus: BusTap | undefined;
  const devices: Device[] = [];
  const extraClients: MichatClient[] = [];
  /** Every text a device sent (none may reach a server in the clear), by object name (hex). */
  const sent = new Map<string, Sent>();
  let general: Channel;
  /** Users in `general` when the first test ends. */
  const members = new Set<number>();

  const usernameOf = (user: number) => `member${user}`;
  const devicesOf = (users: Iterable<number>) => [...users].flatMap((u) => devices.filter((d) => d.user === u));
  const view = (d: Device, channel: Channel): ChannelView => {
    let v = d.views.get(channel.key);
    if (!v) d.views.set(channel.key, (v = d.client.channel(channel)));
    return v;
  };
  const group = (d: Device, channel: Channel) => d.client.e2ee!.group(channel.key);
  const deviceIdsOf = (users: Iterable<number>) => devicesOf(users).map((d) => d.client.session.deviceId);
  const sorted = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);
  /** What an app does when the directory tells it of a change. */
  const nudge = () => devices.forEach((d) => d.client.e2ee!.membershipChanged());

  /** The group of `channel` on every device of `users`: one epoch, one authenticator, exactly those devices. */
  const converged = (channel: Channel, users: Iterable<number>, without: number[] = []) => {
    const want = JSON.stringify(sorted(deviceIdsOf(users).filter((id) => !without.includes(id))));
    const groups = devicesOf(users)
      .filter((d) => !without.includes(d.client.session.deviceId))
      .map((d) => group(d, channel));
    return groups.every((g) => g.epoch !== undefined && g.epoch === groups[0]!.epoch && g.epochAuthenticator === groups[0]!.epochAuthenticator && JSON.stringify(sorted(g.members.map((m) => m.deviceId))) === want);
  };
  const describeGroups = (channel: Channel, users: Iterable<number>) =>
    devicesOf(users)
      .filter((d) => d.client.state !== 'closed')
      .map((d) => {
        const g = group(d, channel);
        return `device ${d.client.session.deviceId} (user ${d.user}): epoch ${g.epoch}, members ${sorted(g.members.map((m) => m.deviceId))}; last errors: ${d.errors.slice(-3).map((e) => e.message).join(' | ')}`;
      })
      .join('\n');
  /** Waits until the groups of `channel` on the devices of `users` (but `without`) converge; says where each is if they do not. */
  const untilConverged = async (channel: Channel, users: Iterable<number>, ms: number, what: string, without: number[] = []) => {
    try {
      await eventually(() => converged(channel, users, without), ms, what);
    } catch (e) {
      throw new Error(`${(e as Error).message}:\n${describeGroups(channel, users)}`);
    }
  };

  /** Sends from `d` and records the stored object; a refusal (the sender is on its way out) is no error here. */
  const say = async (d: Device, channel: Channel, text: string): Promise<void> => {
    try {
      const { object } = await (await view(d, channel).send(text)).delivered;
      sent.set(toHex(object.name), { text, object });
    } catch {
      // refused or the client closed: not sent
    }
  };

  beforeAll(async () => {
    backends = await startBackends();
    cluster = await startCluster(backends, NODES, { connection: { ratePerSec: 5_000, burst: 5_000 } });
    bus = await tapBus(backends.redis.url);
    for (let user = 0; user < USERS; user++) {
      for (let k = 0; k < DEVICES_PER_USER; k++) {
        const index = user * DEVICES_PER_USER + k;
        const node = index % NODES;
        const store = new MemoryStore();
        const options = { store, e2ee: true };
        const client = k === 0 ? await cluster.user(usernameOf(user), node, options) : await MichatClient.login(cluster.nodes[node]!.url, usernameOf(user), PASSWORD, options);
        const errors: Error[] = [];
        client.on('error', (e) => errors.push(e));
        devices.push({ index, user, client, store, errors, views: new Map() });
      }
    }
    await Promise.all(devices.map((d) => d.client.e2ee!.ready()));
    team = await cluster.admin.createTeam('crypto');
    for (let user = 0; user < USERS; user++) await cluster.admin.addTeamMember(team.id, usernameOf(user));
  }, 60_000);

  afterAll(async () => {
    bus?.process.kill();
    await Promise.allSettled([...devices.map((d) => d.client.close()), ...extraClients.map((c) => c.close())]);
    await cluster?.close();
    await backends?.stop();
  });

  it('20 devices chat while members join, leave and come back through different nodes at once: every member device ends at one epoch with one authenticator and reads all sealed since it joined; a removed device reads nothing sealed after', async () => {
    general = await cluster.admin.createChannel(team.id, 'general', 'public');
    const generalId = general.id;
    for (const u of [0, 1, 2, 3, 4, 5, 6]) {
      await devicesOf([u])[0]!.client.joinChannel(generalId);
      members.add(u);
    }
    const raw = new Map<string, MichatObject>();
    await cluster.admin.subscribe(general, (o) => raw.set(toHex(o.name), o)).ready;

    // Every epoch a member device was seen at, with its members and authenticator: two devices
    // that ever disagree about one epoch forked.
    const epochs = new Map<number, { members: Set<number>; authenticator: string }>();
    const forks: string[] = [];
    const watch = setInterval(() => {
      for (const d of devicesOf(members)) {
        if (!d.views.has(general.key) || d.client.state === 'closed') continue;
        const g = group(d, general);
        if (g.epoch === undefined) continue;
        const known = epochs.get(g.epoch);
        if (!known) epochs.set(g.epoch, { members: new Set(g.members.map((m) => m.deviceId)), authenticator: g.epochAuthenticator! });
        else if (known.authenticator !== g.epochAuthenticator) forks.push(`epoch ${g.epoch}: device ${d.index} has another authenticator`);
      }
    }, 20);

    try {
      let started = Date.now();
      await Promise.all(devicesOf(members).map((d) => view(d, general).synced));
      await untilConverged(general, members, 20_000, 'the first 14 devices share one group');
      const firstGroupMs = Date.now() - started;

      // The chat: two devices of members not on their way in or out send every tick.
      const moving = new Set<number>();
      const deliveries: Array<Promise<void>> = [];
      let chatting = true;
      let n = 0;
      const chat = (async () => {
        while (chatting) {
          const ready = devicesOf([...members].filter((u) => !moving.has(u))).filter((d) => group(d, general).epoch !== undefined);
          for (const d of [ready[n % ready.length], ready[(n * 7 + 3) % ready.length]]) {
            if (d) deliveries.push(say(d, general, `secret ${n++} from device ${d.index} ${SALT}`));
          }
          await sleep(CHAT_TICK_MS);
        }
      })();

      const dir = new DirectoryApi(cluster.admin.http);
      /**
       * A user (back) in the channel: their apps open it anew (a view refused once stays
       * closed). Another node hears of the change over the bus a moment later and refuses a
       * subscription until then, so a refused view is opened again; once every view is in,
       * every node knows, and the groups are told once more.
       */
      const entered = async (u: number) => {
        members.add(u);
        nudge();
        await Promise.all(
          devicesOf([u]).map(async (d) => {
            for (let attempt = 1; ; attempt++) {
              await d.views.get(general.key)?.close();
              d.views.delete(general.key);
              try {
                return await view(d, general).synced;
              } catch (e) {
                if (attempt === 20) throw e;
                await sleep(100);
              }
            }
          }),
        );
        nudge();
      };
      const join = (u: number) => async () => {
        await devicesOf([u])[1]!.client.joinChannel(generalId); // through the node of the user's second device
        await entered(u);
      };
      const add = (u: number, node: number) => async () => {
        expect(await cluster.call(node, 'POST', `/api/channels/${generalId}/members`, { username: usernameOf(u) })).toBe(204);
        await entered(u);
      };
      const leave = (u: number) => async () => {
        members.delete(u);
        await dir.leaveChannel(devicesOf([u])[1]!.client.session.accessToken, generalId);
        nudge();
      };
      const remove = (u: number, node: number) => async () => {
        members.delete(u);
        expect(await cluster.call(node, 'DELETE', `/api/channels/${generalId}/members/${devicesOf([u])[0]!.client.session.userId}`)).toBe(204);
        nudge();
      };
      // Several changes at once through every node, by the admin and by the users themselves;
      // users 3 and 2 come back in the last round (by themselves, and added by the admin).
      const rounds: Array<Array<[number, () => Promise<void>]>> = [
        [[7, join(7)], [8, add(8, 1)], [2, leave(2)], [3, remove(3, 2)]],
        [[9, join(9)], [8, leave(8)], [4, remove(4, 0)]],
        [[0, remove(0, 1)], [6, leave(6)], [3, join(3)], [2, add(2, 0)]],
      ];
      for (const round of rounds) {
        await sleep(1_000);
        round.forEach(([u]) => moving.add(u));
        await Promise.all(round.map(([, change]) => change()));
        moving.clear();
      }
      // Timed from the last change's answer, while the chat goes on for another second.
      started = Date.now();
      const convergence = untilConverged(general, members, 25_000, 'the member devices converge').then(() => Date.now() - started);
      await sleep(1_000);
      chatting = false;
      await chat;
      const convergeMs = await convergence;
      expect(converged(general, members)).toBe(true);
      const delivered = await Promise.race([Promise.all(deliveries).then(() => true), sleep(10_000).then(() => false)]);
      expect(delivered, 'every send settled').toBe(true);
      expect(forks).toEqual([]);
      expect(sorted(members)).toEqual([1, 2, 3, 5, 7, 9]);

      // Every message reached every member device, and each is open, or sealed before that device joined.
      const final = devicesOf(members);
      const names = [...sent.keys()];
      expect(names.length).toBeGreaterThan(30);
      const settled = (d: Device, name: string) => {
        const m = view(d, general).message(name);
        return m !== undefined && m.undecryptable?.state !== 'pending';
      };
      await eventually(() => final.every((d) => names.every((name) => settled(d, name))), 15_000, 'every message reached every member device and was opened');
      let opened = 0;
      for (const d of final) {
        const joined = group(d, general).joinEpoch!;
        for (const [name, { text, object }] of sent) {
          const m = view(d, general).message(name)!;
          if (object.keyEpoch - 1 >= joined) {
            expect({ device: d.index, name, text: m.text, undecryptable: m.undecryptable }).toEqual({ device: d.index, name, text, undecryptable: undefined });
            opened++;
          } else if (m.undecryptable) {
            expect(m.undecryptable).toEqual({ state: 'failed', reason: expect.stringMatching(/before this device joined/) });
          }
        }
      }
      expect(opened).toBeGreaterThan(names.length * 5);

      // A removed device reads nothing sealed from the epoch that removed it on.
      let refused = 0;
      const history = [...epochs.entries()].sort(([a], [b]) => a - b);
      for (const u of [0, 4, 6, 8]) {
        for (const d of devicesOf([u])) {
          const id = d.client.session.deviceId;
          const lastIn = Math.max(...history.filter(([, e]) => e.members.has(id)).map(([epoch]) => epoch));
          const removal = history.find(([epoch, e]) => epoch > lastIn && !e.members.has(id))?.[0];
          expect(removal, `device ${d.index} was seen removed`).toBeDefined();
          const after = [...sent.values()].filter(({ object }) => object.keyEpoch - 1 >= removal!).map(({ object }) => raw.get(toHex(object.name)) ?? object);
          expect(await Promise.all(after.map((object) => d.client.read(object)))).toEqual(after.map(() => ({ undecryptable: expect.any(String) })));
          refused += after.length;
        }
      }
      expect(refused).toBeGreaterThan(0);
      console.log(
        `E2EE cluster: 14 devices in one group after ${firstGroupMs} ms; ${sent.size} messages over ${epochs.size} epochs (${history.map(([e, { members: m }]) => `${e}:${m.size}`).join(' ')}); ` +
          `converged ${convergeMs} ms after the last change; ${opened} opened by members, ${refused} refused to removed devices`,
      );
    } finally {
      clearInterval(watch);
    }
  }, 110_000);

  it('a device signed out through another node leaves every group it was in within 15 s, and reads nothing sent after', async () => {
    const second = await cluster.admin.createChannel(team.id, 'second', 'public');
    const users = [1, 5, 9];
    for (const u of users) await devicesOf([u])[0]!.client.joinChannel(second.id);
    await Promise.all(devicesOf(users).map((d) => view(d, second).synced));
    await untilConverged(second, users, 15_000, "the second channel's group forms");

    const victim = devicesOf([5])[1]!; // on node 2; the admin signs it out through node 0
    const victimId = victim.client.session.deviceId;
    const channels = [general, second];
    expect(channels.every((c) => group(victim, c).members.some((m) => m.deviceId === victimId))).toBe(true);
    const started = Date.now();
    expect(await cluster.call(0, 'DELETE', `/api/devices/${victimId}`)).toBe(204);
    // No app tells the groups: the members' periodic comparison with the directory finds it.
    // Both waits run at once: 15 s from the sign-out for each channel.
    await Promise.all([
      untilConverged(general, members, 15_000, 'the signed-out device leaves the first group', [victimId]),
      untilConverged(second, users, 15_000, 'the signed-out device leaves the second group', [victimId]),
    ]);
    const removedMs = Date.now() - started;

    const after: MichatObject[] = [];
    for (const [i, channel] of channels.entries()) {
      const text = `after the sign-out ${i} ${SALT}`;
      const { object } = await (await view(devicesOf([1])[0]!, channel).send(text)).delivered;
      sent.set(toHex(object.name), { text, object });
      after.push(object);
    }
    // All the device holds (its store, its session) opens none of them: a client started on
    // them reads both at once (it closes itself as soon as it learns it was signed out).
    const again = new MichatClient(cluster.nodes[2]!.url, victim.client.session, { store: victim.store, e2ee: true });
    extraClients.push(again);
    again.on('error', () => undefined);
    expect(await Promise.all(after.map((object) => again.read(object)))).toEqual(after.map(() => ({ undecryptable: expect.any(String) })));
    // And the members read them.
    for (const [i, channel] of channels.entries()) {
      const readers = devicesOf(i === 0 ? members : users).filter((d) => d !== victim);
      await eventually(() => readers.every((d) => view(d, channel).message(toHex(after[i]!.name))?.text === sent.get(toHex(after[i]!.name))!.text), 10_000, `members read ${channel.name}`);
    }
    console.log(`E2EE cluster: signed-out device out of both groups ${removedMs} ms after the sign-out`);
  }, 60_000);

  it('no text sent sealed is anywhere in PostgreSQL or Redis (a plaintext control message is found, so the scan sees payloads)', async () => {
    // A client without E2EE writes plaintext: the scan must find it.
    const control = `plaintext control ${SALT}`;
    await cluster.admin.sendText(general, control);
    await eventually(() => bus!.bytes().includes(control), 5_000, 'the control message crossed the bus');

    const { stdout: dump } = await run('pg_dumpall', ['--dbname', backends.pg.url], { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 });
    const { stdout: keys } = await run('redis-cli', ['-u', backends.redis.url, '--raw', 'EVAL', DUMP_EVERY_KEY, '0'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
    const places = { 'PostgreSQL (pg_dumpall)': dump, 'Redis keys and values': keys, 'Redis pub/sub between nodes': bus!.bytes() };
    expect(foundIn(dump, control)).toBe(true);
    expect(dump.length).toBeGreaterThan(10_000);

    const texts = [...sent.values()].map((s) => s.text);
    expect(texts.length).toBeGreaterThan(30);
    const leaks: string[] = [];
    for (const [place, bytes] of Object.entries(places)) {
      for (const text of texts) if (foundIn(bytes, text)) leaks.push(`${place}: "${text}"`);
    }
    expect(leaks).toEqual([]);
    console.log(`E2EE cluster: scanned ${dump.length} bytes of PostgreSQL, ${keys.length} of Redis keys, ${bus!.bytes().length} of bus traffic for ${texts.length} texts`);
  }, 60_000);
});

interface BusTap {
  process: ChildProcess;
  /** Every byte published between the nodes so far. */
  bytes(): Buffer;
}

/** Listens to every Redis pub/sub channel: what the nodes tell each other. */
async function tapBus(url: string): Promise<BusTap> {
  const chunks: Buffer[] = [];
  const process = spawn('redis-cli', ['-u', url, '--raw', 'psubscribe', '*'], { stdio: ['ignore', 'pipe', 'ignore'] });
  process.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  const tap = { process, bytes: () => Buffer.concat(chunks) };
  await eventually(() => tap.bytes().includes('psubscribe'), 5_000, 'redis-cli subscribed');
  return tap;
}

/** Every key of the Redis server with every value it holds, whatever its type. */
const DUMP_EVERY_KEY = `
local out = {}
for _, key in ipairs(redis.call('KEYS', '*')) do
  table.insert(out, key)
  local kind = redis.call('TYPE', key).ok
  local values = {}
  if kind == 'string' then values = { redis.call('GET', key) }
  elseif kind == 'hash' then values = redis.call('HGETALL', key)
  elseif kind == 'list' then values = redis.call('LRANGE', key, 0, -1)
  elseif kind == 'set' then values = redis.call('SMEMBERS', key)
  elseif kind == 'zset' then values = redis.call('ZRANGE', key, 0, -1)
  elseif kind == 'stream' then
    for _, entry in ipairs(redis.call('XRANGE', key, '-', '+')) do
      for _, v in ipairs(entry[2]) do table.insert(values, v) end
    end
  end
  for _, v in ipairs(values) do table.insert(out, v) end
end
return out`;

/**
 * Whether `bytes` hold `text` as UTF-8, as hex (how pg_dump writes bytea), or as base64 or
 * base64url at any of the three alignments a longer payload may give it.
 */
function foundIn(bytes: Buffer, text: string): boolean {
  const utf8 = Buffer.from(text);
  const forms = [text, utf8.toString('hex')];
  for (let skip = 0; skip < 3; skip++) {
    const whole = utf8.subarray(skip, skip + Math.floor((utf8.length - skip) / 3) * 3); // bytes that fill base64 groups by themselves
    forms.push(whole.toString('base64'), whole.toString('base64url'));
  }
  return forms.some((form) => bytes.includes(form));
}
