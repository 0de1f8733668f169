import { afterEach, describe, expect, it } from 'vitest';
import { MichatError, channelFromKey } from '@michat/protocol';
import { MemoryStore } from '../store/memory-store.ts';
import { ChannelGroup } from './channel-group.ts';
import { DeviceKeys } from './device-keys.ts';
import type { KeyApi } from './key-api.ts';
import { clientConfig } from './mls.ts';

const CHANNEL_KEY = '010000100001000001';

describe('ChannelGroup', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  afterEach(() => process.off('unhandledRejection', onUnhandled));

  it('a step the server refuses (this device was signed out) is reported through onError, never left as an unhandled rejection', async () => {
    const refused = new MichatError('Unauthorized', 'this device was signed out; log in again');
    const api = { channelDevices: () => Promise.reject(refused) } as unknown as KeyApi;
    const store = new MemoryStore();
    const me = () => ({ userId: 2, deviceId: 3 });
    const errors: Error[] = [];
    const group = new ChannelGroup({
      channel: channelFromKey(CHANNEL_KEY)!,
      channelKey: CHANNEL_KEY,
      store,
      keys: new DeviceKeys({ store, api, me }),
      api,
      config: clientConfig(async () => true),
      me,
      now: () => Date.now(),
      share: async () => undefined,
      publish: () => Promise.reject(new Error('nothing is published here')),
      onOpened: () => undefined,
      onError: (e) => errors.push(e),
    });
    // An empty log: this device would create the group, and asks the directory who is in the channel first.
    group.logReady();
    await group.settled;
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toEqual([refused]);
    expect(unhandled).toEqual([]);
    group.close();
  });
});
