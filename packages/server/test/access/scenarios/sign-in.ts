import type { CreatedInvite, Session } from '@michat/protocol';
import type { Scenarios } from '../scenario.ts';
import type { World } from '../world.ts';

let made = 0;

/** A user of the org made for one cell, so signing them out touches none of the cast. */
const throwaway = new WeakMap<World, Session>();

async function makeThrowaway(w: World): Promise<void> {
  throwaway.set(w, await w.f.user(`signin${++made}`));
}

function userOf(w: World): Session {
  const s = throwaway.get(w);
  if (!s) throw new Error('setup made no throwaway user');
  return s;
}

/** An invite into the cell's team, made by its owner. */
const teamInvite = new WeakMap<World, CreatedInvite>();

/** Invites, devices and signing out (docs/access.md, "Sign-in and devices"). */
export const scenarios: Scenarios = {
  'invites.create': { run: async (w, actor) => void (await w.call(actor, 'POST', '/api/invites', {})) },
  'invites.create.team': { run: async (w, actor) => void (await w.call(actor, 'POST', '/api/invites', { teamId: w.teamId })) },
  'invites.create.team-owner': { run: async (w, actor) => void (await w.call(actor, 'POST', '/api/invites', { teamId: w.teamId, role: 'owner' })) },
  'invites.list.team': { run: async (w, actor) => void (await w.call(actor, 'GET', `/api/invites?teamId=${w.teamId}`)) },
  'invites.revoke': {
    denied: 'NotFound',
    setup: async (w) => void teamInvite.set(w, (await w.call(w.as('team owner'), 'POST', '/api/invites', { teamId: w.teamId })) as CreatedInvite),
    run: async (w, actor) => void (await w.call(actor, 'DELETE', `/api/invites/${teamInvite.get(w)!.id}`)),
  },
  'devices.list': { run: async (w, actor) => void (await w.call(actor, 'GET', '/api/devices')) },
  'devices.list.other': { run: async (w, actor) => void (await w.call(actor, 'GET', `/api/devices?userId=${w.cast.target.userId}`)) },
  'devices.revoke.own': {
    // A second device of the actor's, so the one the cast uses stays signed in.
    run: async (w, actor) => void (await w.call(actor, 'DELETE', `/api/devices/${(await w.f.login(actor.username)).deviceId}`)),
  },
  'devices.revoke.other': {
    denied: 'NotFound',
    setup: makeThrowaway,
    run: async (w, actor) => void (await w.call(actor, 'DELETE', `/api/devices/${userOf(w).deviceId}`)),
  },
  'users.sessions.revoke': {
    denied: 'NotFound',
    setup: makeThrowaway,
    run: async (w, actor) => void (await w.call(actor, 'DELETE', `/api/users/${userOf(w).userId}/sessions`)),
  },
};
