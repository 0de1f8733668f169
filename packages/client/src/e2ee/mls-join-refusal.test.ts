import { describe, expect, it } from 'vitest';
import { applyCommit, clientConfig, commitChanges, groupInfoOf, joinExternal, joinFromWelcome, membersOf, newGroup, newKeyPackage, newSignatureKeyPair, refusedOnJoin } from './mls.ts';

const config = clientConfig(async () => true);
const none = new Uint8Array(0);

async function device(deviceId: number) {
  return newKeyPackage({ userId: deviceId, deviceId }, await newSignatureKeyPair());
}

describe('trees ts-mls 1.6 refuses to join (decision 0008)', () => {
  it('after a Remove and two Adds the second newcomer cannot join; one member path Commit makes the tree joinable again', async () => {
    const d = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(device));
    const created = await commitChanges(await newGroup(new TextEncoder().encode('group'), d[0]!, config), { add: d.slice(1, 6).map((k) => k.publicPackage), remove: [] }, none);
    let alice = created.state;
    let bob = await joinFromWelcome(created.welcome!, d[1]!, config);
    expect(refusedOnJoin(alice)).toBe(false);
    const step = async (changes: Parameters<typeof commitChanges>[1]) => {
      const out = await commitChanges(alice, changes, none);
      alice = out.state;
      bob = await applyCommit(bob, out.commit);
      return out;
    };
    await step({ add: [], remove: [membersOf(alice).find((m) => m.deviceId === 3)!.leafIndex] });
    await step({ add: [d[6]!.publicPackage], remove: [] });
    const second = await step({ add: [d[7]!.publicPackage], remove: [] });

    expect(refusedOnJoin(alice)).toBe(true);
    await expect(joinFromWelcome(second.welcome!, d[7]!, config)).rejects.toThrow(/unmerged_leaves/);
    await expect(joinExternal(await groupInfoOf(alice), d[7]!, config, none, true)).rejects.toThrow(/unmerged_leaves/);

    // Bob commits his own path (no proposals): the newcomer gets in by an external join.
    const heal = await commitChanges(bob, { add: [], remove: [] }, none);
    alice = await applyCommit(alice, heal.commit);
    expect(refusedOnJoin(alice)).toBe(false);
    const joined = await joinExternal(await groupInfoOf(alice), d[7]!, config, none, true);
    expect(membersOf(joined.state).map((m) => m.deviceId).sort()).toEqual([1, 2, 4, 5, 6, 7, 8]);
  });
});
