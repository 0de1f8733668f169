import { describe, expect, it } from 'vitest';
import {
  applyCommit,
  clientConfig,
  commitChanges,
  decodeState,
  encodeState,
  epochOf,
  joinFromWelcome,
  membersOf,
  newGroup,
  newKeyPackage,
  newSignatureKeyPair,
  openMessage,
  sealMessage,
  welcomeRefs,
  OpenError,
  type ClientState,
} from './mls.ts';

const config = clientConfig(async () => true);
const text = (s: string) => new TextEncoder().encode(s);
const read = (b: Uint8Array) => new TextDecoder().decode(b);

async function device(userId: number, deviceId: number) {
  const keys = await newSignatureKeyPair();
  return { id: { userId, deviceId }, keys, kp: await newKeyPackage({ userId, deviceId }, keys) };
}

describe('MLS through ts-mls', () => {
  it('adds by Welcome, seals with the envelope as authenticated data, names the sender, and locks out the removed', async () => {
    const [a, b, c] = await Promise.all([device(1, 11), device(2, 21), device(3, 31)]);
    let alice = await newGroup(text('group-1'), a.kp, config);
    const added = await commitChanges(alice, { add: [b.kp.publicPackage, c.kp.publicPackage], remove: [] }, text('log-1'));
    alice = added.state;
    expect(welcomeRefs(added.welcome!).sort()).toEqual([b.kp.ref, c.kp.ref].sort());
    let bob = await joinFromWelcome(added.welcome!, b.kp, config);
    let carol = await joinFromWelcome(added.welcome!, c.kp, config);
    expect(epochOf(bob)).toBe(1);
    expect(membersOf(bob).map((m) => m.deviceId).sort()).toEqual([11, 21, 31]);

    const sealed = await sealMessage(alice, text('hello'), text('envelope-1'));
    alice = sealed.state;
    const opened = await openMessage(bob, sealed.sealed, text('envelope-1'));
    bob = opened.state;
    expect(read(opened.plain)).toBe('hello');
    expect(opened.sender).toEqual({ userId: 1, deviceId: 11 });
    // Another envelope (a server that renamed or backdated it) is refused.
    await expect(openMessage(carol, sealed.sealed, text('envelope-2'))).rejects.toMatchObject({ reason: 'bad-envelope' });

    // State survives encoding (what the store keeps).
    carol = decodeState(encodeState(carol), config);
    const again = await openMessage(carol, sealed.sealed, text('envelope-1'));
    carol = again.state;

    // Alice removes Carol: Bob follows, Carol cannot read what comes after.
    const removed = await commitChanges(alice, { add: [], remove: [membersOf(alice).find((m) => m.deviceId === 31)!.leafIndex] }, text('log-2'));
    alice = removed.state;
    bob = await applyCommit(bob, removed.commit);
    expect(epochOf(bob)).toBe(2);
    const after = await sealMessage(alice, text('secret'), text('envelope-3'));
    expect(read((await openMessage(bob, after.sealed, text('envelope-3'))).plain)).toBe('secret');
    await expect(openMessage(carol, after.sealed, text('envelope-3'))).rejects.toBeInstanceOf(OpenError);
    await expect(applyCommit(carol, removed.commit).then((s: ClientState) => openMessage(s, after.sealed, text('envelope-3')))).rejects.toThrow();
  });
});
