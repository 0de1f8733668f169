import type { Scenarios } from '../scenario.ts';

let made = 0;

/** Teams and their members. */
export const scenarios: Scenarios = {
  'teams.create': { changes: true, run: async (w, actor) => void (await w.call(actor, 'POST', '/api/teams', { name: `made-team${++made}` })) },
  'teams.members.list': { run: async (w, actor) => void (await w.call(actor, 'GET', `/api/teams/${w.teamId}/members`)) },
  'teams.members.add': {
    changes: true,
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/teams/${w.teamId}/members`, { username: w.cast.spare.username })),
  },
  'teams.members.add-owner': {
    changes: true,
    run: async (w, actor) => void (await w.call(actor, 'POST', `/api/teams/${w.teamId}/members`, { username: w.cast.spare.username, role: 'owner' })),
  },
  'teams.members.role': {
    changes: true,
    run: async (w, actor) => void (await w.call(actor, 'PATCH', `/api/teams/${w.teamId}/members/${w.cast.target.userId}`, { role: 'admin' })),
  },
  'teams.members.remove': {
    changes: true,
    run: async (w, actor) => void (await w.call(actor, 'DELETE', `/api/teams/${w.teamId}/members/${w.cast.target.userId}`)),
  },
  'teams.members.leave': {
    changes: true,
    // a second owner, so that the team owner may leave too (a team keeps one)
    setup: async (w) => void (await w.call(w.as('team owner'), 'POST', `/api/teams/${w.teamId}/members`, { username: w.cast.spare.username, role: 'owner' })),
    deniedAs: { 'org admin': 'NotFound', outsider: 'NotFound' },
    run: async (w, actor) => void (await w.call(actor, 'DELETE', `/api/teams/${w.teamId}/members/${actor.userId}`)),
  },
};
