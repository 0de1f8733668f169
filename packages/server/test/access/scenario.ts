import type { ErrorKind, Session } from '@michat/protocol';
import type { World } from './world.ts';

/** The role columns of docs/access.md, in order. */
export const ROLES = ['org admin', 'team owner', 'team admin', 'team member', 'guest', 'channel owner', 'outsider'] as const;
export type Role = (typeof ROLES)[number];

/**
 * One operation of the access table, performed for real against a running server.
 *
 * The harness gives every cell (operation × role) a fresh World — a new team with a user in
 * each role — runs `setup` (as whoever needs to), snapshots the store, then runs `run` as the
 * role's user. `run` resolves when the server allowed the operation and throws `Refused`
 * (see World) when it answered a typed error. A denial must carry `denied` (default
 * Forbidden; `deniedAs` overrides it per role) and change nothing stored.
 */
export interface Scenario {
  setup?(w: World): Promise<void>;
  run(w: World, actor: Session, role: Role): Promise<void | 'no-op'>;
  denied?: ErrorKind;
  deniedAs?: Partial<Record<Role, ErrorKind>>;
  /** An allowed call must change the store, unless `run` answers 'no-op' (an idempotent repeat). */
  changes?: boolean;
}

/** What every file in scenarios/ exports as `scenarios`: operation id (as in docs/access.md) → scenario. */
export type Scenarios = Record<string, Scenario>;
