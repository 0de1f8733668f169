import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Session } from '@michat/protocol';
import { TokenService, type Clock } from '@michat/core';
import { startFixture, type Fixture } from './fixture.ts';
import { expectRefusedEverywhere } from './sign-in-helpers.ts';

/** A clock stuck in the past, so tokens it issues are already expired. */
function clockAt(offsetMs: number): Clock {
  return { now: () => Date.now() + offsetMs, setTimer: () => () => undefined };
}

describe('access tokens are refused by every entry point when they should be', () => {
  let f: Fixture;
  let alice: Session;
  beforeAll(async () => {
    f = await startFixture();
    alice = await f.user('alice');
  });
  afterAll(() => f.close());

  it('refuses an expired token (signed by the real key)', async () => {
    const past = new TokenService(f.server.node.kv, clockAt(-20 * 60_000));
    const expired = await past.issue({ userId: alice.userId, username: 'alice', orgId: alice.orgId, deviceId: alice.deviceId });
    await expectRefusedEverywhere(f, expired.token, alice.accessToken);
  });

  it('refuses a validly signed token for a user, org or device that does not exist', async () => {
    const tokens = f.server.node.tokens;
    const ghostUser = await tokens.issue({ userId: 4242, username: 'ghost', orgId: alice.orgId, deviceId: alice.deviceId });
    await expectRefusedEverywhere(f, ghostUser.token, alice.accessToken);
    const ghostOrg = await tokens.issue({ userId: alice.userId, username: 'alice', orgId: 777, deviceId: alice.deviceId });
    await expectRefusedEverywhere(f, ghostOrg.token, alice.accessToken);
    const ghostDevice = await tokens.issue({ userId: alice.userId, username: 'alice', orgId: alice.orgId, deviceId: 99_999 });
    await expectRefusedEverywhere(f, ghostDevice.token, alice.accessToken);
    // A real device, but someone else's.
    const notHers = await tokens.issue({ userId: alice.userId, username: 'alice', orgId: alice.orgId, deviceId: f.admin.deviceId });
    await expectRefusedEverywhere(f, notHers.token, alice.accessToken);
  });

  it('refuses malformed tokens', async () => {
    for (const bad of ['not-a-token', 'a.b.c', `${alice.accessToken.slice(0, -6)}AAAAAA`]) {
      await expectRefusedEverywhere(f, bad, alice.accessToken);
    }
  });
});
