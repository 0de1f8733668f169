import { toBase64Url, type Channel, type Session } from '@michat/protocol';
import type { Scenarios } from '../scenario.ts';
import type { World } from '../world.ts';

/** One key per device, the same every time: registering it again is the idempotent no-op, never a Conflict. */
async function keyOf(s: Session): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`access-table/${s.deviceId}`));
  return toBase64Url(new Uint8Array(digest));
}

async function register(w: World, s: Session): Promise<void> {
  await w.call(s, 'PUT', '/api/devices/current/key', { signatureKey: await keyOf(s) });
}

let made = 0;
const keyPackage = () => toBase64Url(new TextEncoder().encode(`key package ${++made} ${Math.random()}`));

/** A DM between the channel owner and the target, for the cell. */
const directs = new WeakMap<World, Channel>();

/** Device keys and KeyPackages (docs/access.md, "End-to-end encryption keys"). */
export const scenarios: Scenarios = {
  'keys.register': {
    changes: true,
    // A new device of the actor's each time, so it has no key yet.
    run: async (w, actor) => register(w, await w.f.login(actor.username)),
  },
  'keys.channel.devices': {
    setup: async (w) => void (await w.openChannel('public', 'team')),
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/channels/${w.ch.id}/devices`)),
  },
  'keys.channel.devices.not-joined': {
    setup: async (w) => void (await w.openChannel('private')),
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/channels/${w.ch.id}/devices`)),
  },
  'keys.dm.devices': {
    setup: async (w) => void directs.set(w, (await w.call(w.as('channel owner'), 'POST', '/api/dms', { usernames: [w.cast.target.username] })) as Channel),
    run: async (w, actor) => void (await w.call(actor, 'GET', `/api/channels/${directs.get(w)!.id}/devices`)),
  },
  'keys.user.devices': { run: async (w, actor) => void (await w.call(actor, 'GET', `/api/users/${w.cast.target.userId}/devices/keys`)) },
  'keypackages.upload': {
    changes: true,
    setup: async (w) => {
      for (const s of Object.values(w.cast.roles)) await register(w, s);
    },
    run: async (w, actor) => void (await w.call(actor, 'POST', '/api/keypackages', { keyPackages: [keyPackage()] })),
  },
  'keypackages.stock': { run: async (w, actor) => void (await w.call(actor, 'GET', '/api/keypackages/stock')) },
  'keypackages.claim': {
    changes: true,
    setup: async (w) => {
      await register(w, w.cast.target);
      await w.call(w.cast.target, 'POST', '/api/keypackages', { keyPackages: [keyPackage()] });
    },
    run: async (w, actor) => void (await w.call(actor, 'POST', '/api/keypackages/claim', { devices: [w.cast.target.deviceId] })),
  },
};
