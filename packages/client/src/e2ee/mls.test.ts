import { describe, expect, it } from 'vitest';
import {
  applyCommit,
  clientConfig,
  commitChanges,
  decodeState,
  encodeState,
  epochKeyOf,
  epochOf,
  joinFromWelcome,
  membersOf,
  newGroup,
  newKeyPackage,
  newSignatureKeyPair,
  welcomeRefs,
} from './mls.ts';
import { openPayload, sealPayload } from './sealed-payload.ts';

const config = clientConfig(async () => true);
const text = (s: string) => new TextEncoder().encode(s);
const read = (b: Uint8Array) => new TextDecoder().decode(b);

async function device(userId: number, deviceId: number) {
  const keys = await newSignatureKeyPair();
  return { id: { userId, deviceId }, keys, kp: await newKeyPackage({ userId, deviceId }, keys) };
}

describe('MLS groups and sealed payloads', () => {
  it('members share each epoch key; payloads are bound to their envelope and signer; the removed lose the next key', async () => {
    const [a, b, c] = await Promise.all([device(1, 11), device(2, 21), device(3, 31)]);
    let alice = await newGroup(text('group-1'), a.kp, config);
    const added = await commitChanges(alice, { add: [b.kp.publicPackage, c.kp.publicPackage], remove: [] }, text('log-1'));
    alice = added.state;
    expect(welcomeRefs(added.welcome!).sort()).toEqual([b.kp.ref, c.kp.ref].sort());
    let bob = await joinFromWelcome(added.welcome!, b.kp, config);
    const carol = decodeState(encodeState(await joinFromWelcome(added.welcome!, c.kp, config)), config); // survives the store
    expect(epochOf(bob)).toBe(1);
    expect(membersOf(bob).map((m) => m.deviceId).sort()).toEqual([11, 21, 31]);
    const key1 = await epochKeyOf(alice);
    expect(await epochKeyOf(bob)).toEqual(key1);
    expect(await epochKeyOf(carol)).toEqual(key1);

    const sealed = await sealPayload(key1, text('envelope-1'), text('hello'), a.keys.signKey);
    const opened = await openPayload(key1, text('envelope-1'), sealed, a.keys.publicKey);
    expect(opened.ok && read(opened.plain)).toBe('hello');
    // Another envelope (renamed, backdated in transit) does not open; another signer is caught.
    expect(await openPayload(key1, text('envelope-2'), sealed, a.keys.publicKey)).toEqual({ ok: false, reason: 'undecryptable' });
    expect(await openPayload(key1, text('envelope-1'), sealed, b.keys.publicKey)).toEqual({ ok: false, reason: 'bad-signature' });

    // Alice removes Carol: Bob follows to epoch 2, whose key Carol never learns.
    const removed = await commitChanges(alice, { add: [], remove: [membersOf(alice).find((m) => m.deviceId === 31)!.leafIndex] }, text('log-2'));
    alice = removed.state;
    bob = await applyCommit(bob, removed.commit);
    expect(epochOf(bob)).toBe(2);
    const key2 = await epochKeyOf(alice);
    expect(await epochKeyOf(bob)).toEqual(key2);
    expect(key2).not.toEqual(key1);
    const carolAfter = await applyCommit(carol, removed.commit).then(epochKeyOf, () => undefined);
    expect(carolAfter).not.toEqual(key2);
    expect(await epochKeyOf(carol)).toEqual(key1);
  });
});
