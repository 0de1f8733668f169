import { describe, expect, it } from 'vitest';
import { MemoryBus } from '@michat/bus';
import { MichatNode } from '../michat-node.ts';
import { MemoryKvStore } from '../kv/memory-kv.ts';

const plainHasher = { hash: async (p: string) => p, verify: async (h: string, p: string) => h === p };

/** Nodes of one deployment share a store: each keeps its own caches and write mutex. */
describe('two nodes on one store', () => {
  it('creating teams and channels at the same moment on both gives every one its own id and record', async () => {
    const kv = new MemoryKvStore();
    const [a, b] = [new MichatNode({ kv, hasher: plainHasher }), new MichatNode({ kv, hasher: plainHasher })];
    const org = await a.directory.createOrg('acme');
    const owner = await a.directory.createUser({ orgId: org.id, username: 'owner', password: 'correct horse battery' });
    const teams = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).directory.createTeam({ orgId: org.id, name: `t${i}`, ownerId: owner.id })));
    expect(new Set(teams.map((t) => t.id)).size).toBe(10);
    for (const t of teams) expect((await b.directory.team(t.id))?.name).toBe(t.name);
    const team = teams[0]!;
    const channels = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).directory.createChannel({ team, name: `c${i}`, visibility: 'public', createdBy: owner.id })),
    );
    expect(new Set(channels.map((c) => c.id)).size).toBe(10);
    for (const c of channels) expect((await a.directory.channel(c.id))?.name).toBe(c.name);
  });

  it('with a bus, a channel archived on one node is read-only on the other at once', async () => {
    const kv = new MemoryKvStore();
    const bus = new MemoryBus();
    const [a, b] = [new MichatNode({ kv, hasher: plainHasher, bus }), new MichatNode({ kv, hasher: plainHasher, bus })];
    await Promise.all([a.start(), b.start()]);
    const org = await a.directory.createOrg('acme');
    const owner = await a.directory.createUser({ orgId: org.id, username: 'owner', password: 'correct horse battery' });
    const team = await a.directory.createTeam({ orgId: org.id, name: 'ops', ownerId: owner.id });
    const channel = await a.directory.createChannel({ team, name: 'general', visibility: 'public', createdBy: owner.id });
    expect((await b.directory.channel(channel.id))?.archived).toBeUndefined(); // now cached on b
    await a.directory.updateChannel(channel.id, { archived: true });
    await new Promise((r) => setTimeout(r, 10));
    expect((await b.directory.channel(channel.id))?.archived).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });
});
