import type { Scenarios } from '../scenario.ts';
import type { World } from '../world.ts';

const targetAsks = async (w: World) => {
  await w.openChannel('restricted');
  await w.call(w.cast.target, 'POST', `/api/channels/${w.ch.id}/requests`);
};
const targetBanned = async (w: World) => {
  await w.openChannel('public');
  await w.call(w.as('channel owner'), 'PUT', `/api/channels/${w.ch.id}/bans/${w.cast.target.userId}`);
};

/** Who is in a channel: members, bans and join requests. */
export const scenarios: Scenarios = {
  'channel.members.list': {
    setup: async (w) => void (await w.openChannel('public')),
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/channels/${w.ch.id}/members`)),
  },
  'channel.members.add': {
    changes: true,
    setup: async (w) => void (await w.openChannel('public')),
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/channels/${w.ch.id}/members`, { username: w.cast.target.username })),
  },
  'channel.members.add.private': {
    changes: true,
    setup: async (w) => void (await w.openChannel('private')),
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/channels/${w.ch.id}/members`, { username: w.cast.target.username })),
  },
  'channel.members.remove': {
    changes: true,
    setup: async (w) => void (await w.openChannel('public', 'team')),
    run: async (w, actor) => void (await w.call(actor, 'DELETE', `/api/channels/${w.ch.id}/members/${w.cast.target.userId}`)),
  },
  'channel.bans.add': {
    changes: true,
    setup: async (w) => void (await w.openChannel('public', 'team')),
    run: async (w, actor) => void (await w.call(actor, 'PUT', `/api/channels/${w.ch.id}/bans/${w.cast.target.userId}`)),
  },
  'channel.bans.remove': {
    changes: true,
    setup: targetBanned,
    run: async (w, actor) => void (await w.call(actor, 'DELETE', `/api/channels/${w.ch.id}/bans/${w.cast.target.userId}`)),
  },
  'channel.bans.list': {
    setup: targetBanned,
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/channels/${w.ch.id}/bans`)),
  },
  'channel.requests.ask': {
    changes: true,
    deniedAs: { 'channel owner': 'Conflict' },
    setup: async (w) => void (await w.openChannel('restricted')),
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/channels/${w.ch.id}/requests`)),
  },
  'channel.requests.list': {
    setup: targetAsks,
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/channels/${w.ch.id}/requests`)),
  },
  'channel.requests.accept': {
    changes: true,
    setup: targetAsks,
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/channels/${w.ch.id}/requests/${w.cast.target.userId}/accept`)),
  },
  'channel.requests.refuse': {
    changes: true,
    setup: targetAsks,
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/channels/${w.ch.id}/requests/${w.cast.target.userId}/refuse`)),
  },
};
