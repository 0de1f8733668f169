import { toHex } from '@michat/protocol';
import { textObject } from '@michat/testkit';
import type { Scenarios } from '../scenario.ts';

/** Team channels: list, create, see, settings, join, leave. */
export const scenarios: Scenarios = {
  'channels.list': { run: async (w, actor) => void (await w.call(actor, 'GET', `/api/teams/${w.teamId}/channels`)) },
  'channels.create': { changes: true, run: async (w, actor) => void (await w.call(actor, 'POST', `/api/teams/${w.teamId}/channels`, { name: 'made' })) },
  'channels.get.public': {
    setup: async (w) => void (await w.openChannel('public')),
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/channels/${w.ch.id}`)),
  },
  'channels.get.private': {
    setup: async (w) => void (await w.openChannel('private')),
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/channels/${w.ch.id}`)),
  },
  'channels.update': {
    changes: true,
    setup: async (w) => void (await w.openChannel('public')),
    run: async (w, actor) => void (await w.call(actor, 'PATCH', `/api/channels/${w.ch.id}`, { topic: 'new topic', capacity: 50 })),
  },
  'channels.archive': {
    changes: true,
    setup: async (w) => void (await w.openChannel('public')),
    run: async (w, actor) => void (await w.call(actor, 'PATCH', `/api/channels/${w.ch.id}`, { archived: true })),
  },
  'channels.import': {
    changes: true,
    setup: async (w) => void (await w.openChannel('public')),
    // An object of the channel owner's device, as a dump holds it.
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/channels/${w.ch.id}/import`, { objects: [toHex(textObject(w.ch, w.as('channel owner'), 1, 'from a dump').bytes)] })),
  },
  // Relay accounts only (tested as allowed in relay-accounts.test.ts): every person is refused.
  'relay.channels.get': {
    setup: async (w) => void (await w.openChannel('public')),
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/relay/channels/${w.ch.key}`)),
  },
  'channels.join.public': {
    changes: true,
    setup: async (w) => void (await w.openChannel('public')),
    run: async (w, actor, role) => {
      await w.call(actor, 'POST', `/api/channels/${w.ch.id}/join`);
      return role === 'channel owner' ? 'no-op' : undefined;
    },
  },
  'channels.join.private': {
    changes: true,
    setup: async (w) => void (await w.openChannel('private')),
    run: async (w, actor, role) => {
      await w.call(actor, 'POST', `/api/channels/${w.ch.id}/join`);
      return role === 'channel owner' ? 'no-op' : undefined;
    },
  },
  'channels.join.restricted': {
    changes: true,
    setup: async (w) => void (await w.openChannel('restricted')),
    run: async (w, actor, role) => {
      await w.call(actor, 'POST', `/api/channels/${w.ch.id}/join`);
      return role === 'channel owner' ? 'no-op' : undefined;
    },
  },
  'channels.leave': {
    changes: true,
    setup: async (w) => void (await w.openChannel('public', 'team')),
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/channels/${w.ch.id}/leave`)),
  },
};
