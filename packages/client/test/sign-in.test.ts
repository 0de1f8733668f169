import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MichatError } from '@michat/protocol';
import { HttpApi, MichatClient } from '../src/index.ts';
import { PASSWORD, eventually, startClientFixture, type ClientFixture } from './fixture.ts';

describe('sign-in calls of the SDK', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  it('registers with an invite, lists devices, and a client signed out everywhere closes with Unauthorized', async () => {
    const http = new HttpApi(f.server.url);
    const invite = await http.createInvite(f.admin.session.accessToken, { maxUses: 1 });
    const first = await http.register(invite.code, 'nina', PASSWORD, 'laptop');
    await expect(http.register(invite.code, 'otto', PASSWORD)).rejects.toMatchObject({ kind: 'Conflict' });

    const client = f.track(new MichatClient(f.server.url, first));
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    await client.connect();
    const phone = await http.login('nina', PASSWORD, 'phone');
    const devices = await http.devices(phone.accessToken);
    expect(devices.map((d) => [d.name, d.current, d.signedIn])).toEqual([['laptop', false, true], ['phone', true, true]]);

    await http.logoutEverywhere(phone.accessToken);
    await eventually(() => client.state === 'closed', 5_000, 'the signed-out client to close');
    expect(errors.some((e) => e instanceof MichatError && e.kind === 'Unauthorized')).toBe(true);
    await expect(http.devices(phone.accessToken)).rejects.toMatchObject({ kind: 'Unauthorized' });
  });
});
