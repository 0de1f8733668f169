import type { Scenarios } from '../scenario.ts';

let made = 0;

/** Who am I, users, devices and direct messages. */
export const scenarios: Scenarios = {
  'me.get': { run: async (w, actor) => void (await w.call(actor, 'GET', '/api/me')) },
  'users.list': { run: async (w, actor) => void (await w.call(actor, 'GET', '/api/users')) },
  'users.create': {
    changes: true,
    run: async (w, actor) => void (await w.call(actor, 'POST', '/api/users', { username: `made${++made}`, password: 'a long enough secret' })),
  },
  'devices.get': {
    denied: 'NotFound',
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/devices/${w.cast.target.deviceId}`)),
  },
  'dms.open': { run: async (w, actor) => void (await w.call(actor, 'POST', '/api/dms', { usernames: [w.cast.target.username] })) },
  'dms.open.stranger': { run: async (w, actor) => void (await w.call(actor, 'POST', '/api/dms', { usernames: [w.cast.stranger.username] })) },
  'dms.list': { run: async (w, actor) => void (await w.call(actor, 'GET', '/api/dms')) },
};
