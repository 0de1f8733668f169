import { bytesEqual } from '@michat/protocol';
import type { DeviceKey } from './key-api.ts';
import type { Member } from './mls.ts';

export interface MembershipPlan {
  /** Directory devices (with a registered key) the group lacks. */
  add: DeviceKey[];
  /** Leaves the directory no longer lists (or lists with another key). */
  remove: number[];
}

/**
 * What a Commit must change so the group holds exactly the channel's signed-in member
 * devices: pure, so every member computes the same plan from the same directory. A device
 * without a registered key cannot be added yet; this device never removes itself.
 */
export function planMembership(members: readonly Member[], roster: readonly DeviceKey[], self: number): MembershipPlan {
  const listed = new Map(roster.filter((d) => d.signatureKey).map((d) => [d.deviceId, d]));
  const inGroup = new Set<number>();
  const remove: number[] = [];
  for (const m of members) {
    const want = listed.get(m.deviceId);
    if (m.deviceId !== self && (!want || want.userId !== m.userId || !bytesEqual(want.signatureKey!, m.signatureKey))) remove.push(m.leafIndex);
    else inGroup.add(m.deviceId);
  }
  const add = [...listed.values()].filter((d) => !inGroup.has(d.deviceId) && d.deviceId !== self);
  return { add, remove: remove.sort((a, b) => a - b) };
}

