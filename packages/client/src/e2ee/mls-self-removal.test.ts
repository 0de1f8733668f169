import { describe, expect, it } from 'vitest';
import { applyCommit, clientConfig, commitChanges, epochOf, isRemoved, joinFromWelcome, membersOf, newGroup, newKeyPackage, newSignatureKeyPair } from './mls.ts';

const config = clientConfig(async () => true);

async function device(userId: number, deviceId: number) {
  const keys = await newSignatureKeyPair();
  return newKeyPackage({ userId, deviceId }, keys);
}

describe('a Commit that removes this device', () => {
  it('is seen as a removal even when the same Commit adds a device into the freed leaf', async () => {
    const [a, b, c, d] = await Promise.all([device(1, 11), device(2, 21), device(3, 31), device(4, 41)]);
    const created = await commitChanges(await newGroup(new TextEncoder().encode('group'), a, config), { add: [b.publicPackage, c.publicPackage], remove: [] }, new Uint8Array(0));
    const [bob, carol] = await Promise.all([joinFromWelcome(created.welcome!, b, config), joinFromWelcome(created.welcome!, c, config)]);
    const bobLeaf = membersOf(created.state).find((m) => m.deviceId === 21)!.leafIndex;

    // Bob leaves and Dan comes in one Commit: Dan takes Bob's leaf.
    const swap = await commitChanges(created.state, { add: [d.publicPackage], remove: [bobLeaf] }, new Uint8Array(0));
    expect(membersOf(swap.state).find((m) => m.deviceId === 41)!.leafIndex).toBe(bobLeaf);

    const bobAfter = await applyCommit(bob, swap.commit);
    expect(isRemoved(bobAfter)).toBe(true);
    const carolAfter = await applyCommit(carol, swap.commit);
    expect(isRemoved(carolAfter)).toBe(false);
    expect(epochOf(carolAfter)).toBe(2);
    expect(membersOf(carolAfter).map((m) => m.deviceId).sort()).toEqual([11, 31, 41]);
  });
});
