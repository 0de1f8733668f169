import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MichatClient, MichatError, RecordKeys, exportState, importState } from '../../src/index.ts';
import { PASSWORD, startClientFixture, type ClientFixture } from '../fixture.ts';

/** Another fingerprint, well formed: what a lying directory would have shown first. */
const OTHER_FINGERPRINT = '11111 22222 33333 44444 55555 66666 77777 88888 99999 00000 12345 67890';

describe('device verification', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  async function person(username: string, store = new MemoryStore()): Promise<MichatClient> {
    const client = await f.user(username, { store, e2ee: true });
    await client.e2ee!.ready();
    return client;
  }

  /** Another sign-in of `username`: a new device with its key registered. */
  async function newDevice(username: string): Promise<MichatClient> {
    const client = f.track(await MichatClient.login(f.server.url, username, PASSWORD, { store: new MemoryStore(), e2ee: true }));
    await client.e2ee!.ready();
    return client;
  }

  const kind = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof MichatError ? e.kind : String(e)),
    );

  it('two people see the same safety number; it changes when either adds a device', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const [a1, b1] = await Promise.all([alice.verification!.safetyNumber(bob.session.userId), bob.verification!.safetyNumber(alice.session.userId)]);
    expect(a1).toMatch(/^\d{5}( \d{5}){11}$/);
    expect(b1).toBe(a1);

    const alicePhone = await newDevice('alice');
    const [a2, b2, p2] = await Promise.all([
      alice.verification!.safetyNumber(bob.session.userId),
      bob.verification!.safetyNumber(alice.session.userId),
      alicePhone.verification!.safetyNumber(bob.session.userId),
    ]);
    expect(a2).not.toBe(a1);
    expect(b2).toBe(a2);
    expect(p2).toBe(a2); // any of Alice's devices shows the same number

    await newDevice('bob');
    const [a3, b3] = await Promise.all([alice.verification!.safetyNumber(bob.session.userId), bob.verification!.safetyNumber(alice.session.userId)]);
    expect(a3).not.toBe(a2);
    expect(b3).toBe(a3);

    // compare() says which devices the number covers, with fingerprints each side can read out.
    const { theirs, mine } = await alice.verification!.compare(bob.session.userId);
    expect(theirs.map((d) => d.userId)).toEqual([bob.session.userId, bob.session.userId]);
    expect(mine.find((d) => d.current)?.fingerprint).toBe(await alice.verification!.ownFingerprint());
    expect(theirs.find((d) => d.deviceId === bob.session.deviceId)?.fingerprint).toBe(await bob.verification!.ownFingerprint());
  });

  it('marks a device verified at the compared fingerprint, and takes it back', async () => {
    const carol = await person('carol');
    const dan = await person('dan');
    const danDevice = dan.session.deviceId;
    const danFingerprint = await dan.verification!.ownFingerprint();
    const listed = await carol.verification!.devices(dan.session.userId);
    expect(listed).toEqual([{ userId: dan.session.userId, username: 'dan', deviceId: danDevice, fingerprint: danFingerprint, verified: false, changed: false, firstSeen: danFingerprint, current: false }]);

    expect(await kind(carol.verification!.markVerified(danDevice, OTHER_FINGERPRINT))).toBe('Conflict');
    expect(await kind(carol.verification!.markVerified(987_654, danFingerprint))).toBe('NotFound');
    await carol.verification!.markVerified(danDevice, danFingerprint);
    expect((await carol.verification!.devices(dan.session.userId))[0]).toMatchObject({ verified: true, changed: false });
    // Only Carol's view changes: Dan has verified nobody.
    expect((await dan.verification!.devices(carol.session.userId))[0]).toMatchObject({ verified: false });

    await carol.verification!.unverify(danDevice);
    expect((await carol.verification!.devices(dan.session.userId))[0]).toMatchObject({ verified: false, changed: false });

    // The channel's device list judges the same way, in one request.
    const channel = await f.channel([carol, dan]);
    await carol.verification!.markVerified(danDevice, danFingerprint);
    const inChannel = await carol.verification!.channelDevices(channel.id);
    expect(inChannel.find((d) => d.deviceId === danDevice)).toMatchObject({ verified: true, fingerprint: danFingerprint });
    expect(inChannel.find((d) => d.current)).toMatchObject({ userId: carol.session.userId, fingerprint: await carol.verification!.ownFingerprint() });
  });

  it('a key other than the one seen first is a loud change until the device is verified again', async () => {
    const store = new MemoryStore();
    const erin = await person('erin', store);
    const fred = await person('fred');
    const fredDevice = fred.session.deviceId;
    const fredFingerprint = await fred.verification!.ownFingerprint();
    await erin.verification!.devices(fred.session.userId); // seen first: trust on first use
    await erin.verification!.markVerified(fredDevice, fredFingerprint);
    expect(await erin.verification!.changedKeys()).toEqual([]);

    // The server keeps keys set once, so a change is simulated where the client keeps what it saw first.
    const seen = await store.getRecord<{ fingerprint: string }>(RecordKeys.seen(fredDevice));
    expect(seen?.fingerprint).toBe(fredFingerprint);
    await store.setRecord(RecordKeys.seen(fredDevice), { ...seen, fingerprint: OTHER_FINGERPRINT });

    const [judged] = await erin.verification!.devices(fred.session.userId);
    expect(judged).toMatchObject({ deviceId: fredDevice, fingerprint: fredFingerprint, firstSeen: OTHER_FINGERPRINT, changed: true, verified: false });
    const changed = await erin.verification!.changedKeys();
    expect(changed).toEqual([{ userId: fred.session.userId, username: 'fred', deviceId: fredDevice, firstSeen: OTHER_FINGERPRINT, fingerprint: fredFingerprint, noticedAt: expect.any(Number) }]);
    // Looking again does not make it go away, nor does an old verification.
    expect((await erin.verification!.devices(fred.session.userId))[0]).toMatchObject({ changed: true, verified: false });
    expect(await erin.verification!.changedKeys()).toHaveLength(1);

    // The fingerprint seen first is not the device's any more: verifying it is refused.
    expect(await kind(erin.verification!.markVerified(fredDevice, OTHER_FINGERPRINT))).toBe('Conflict');
    // Compared again (in person), the new key is verified: the warning is resolved.
    await erin.verification!.markVerified(fredDevice, fredFingerprint);
    expect(await erin.verification!.changedKeys()).toEqual([]);
    expect((await erin.verification!.devices(fred.session.userId))[0]).toMatchObject({ changed: false, verified: true, firstSeen: fredFingerprint });
  });

  it('a changed device that signs out leaves the warning list, its first fingerprint kept', async () => {
    const store = new MemoryStore();
    const gina = await person('gina', store);
    const hal = await person('hal');
    const halTablet = await newDevice('hal');
    await gina.verification!.devices(hal.session.userId);
    const tablet = halTablet.session.deviceId;
    await store.setRecord(RecordKeys.seen(tablet), { ...(await store.getRecord<object>(RecordKeys.seen(tablet))), fingerprint: OTHER_FINGERPRINT });
    await gina.verification!.devices(hal.session.userId);
    expect((await gina.verification!.changedKeys()).map((c) => c.deviceId)).toEqual([tablet]);

    await halTablet.logout();
    expect((await gina.verification!.devices(hal.session.userId)).map((d) => d.deviceId)).toEqual([hal.session.deviceId]);
    expect(await gina.verification!.changedKeys()).toEqual([]);
    expect((await store.getRecord<{ fingerprint: string }>(RecordKeys.seen(tablet)))?.fingerprint).toBe(OTHER_FINGERPRINT);
  });

  it('seen and verified fingerprints travel in an export without a passphrase (they are not keys)', async () => {
    const store = new MemoryStore();
    const ida = await person('ida', store);
    const jay = await person('jay');
    await ida.verification!.markVerified(jay.session.deviceId, (await ida.verification!.devices(jay.session.userId))[0]!.fingerprint!);
    const file = await exportState(store);
    expect(Object.keys(file.records)).toEqual(expect.arrayContaining([RecordKeys.seen(jay.session.deviceId), RecordKeys.verified(jay.session.deviceId)]));
    expect(Object.keys(file.records).some((k) => k.startsWith('e2ee/identity/'))).toBe(false);

    const restored = new MemoryStore();
    await importState(restored, file);
    expect(await restored.getRecord(RecordKeys.verified(jay.session.deviceId))).toMatchObject({ userId: jay.session.userId });
  });
});
