import { MichatError, decodeObject, fromHex, nameToText, type ImportResult, type MichatObject } from '@michat/protocol';
import type { AccessClaims } from '../auth/token-service.ts';
import type { Directory } from '../directory/directory.ts';
import { channelPrefixOf } from '../directory/channel-view.ts';
import type { Clock } from '../ports/clock.ts';
import { checkImport } from './publish-rules.ts';
import type { Rooms } from './rooms.ts';

export interface ImportDeps {
  directory: Directory;
  rooms: Rooms;
  clock: Clock;
}

/**
 * Stores objects of a channel again under their own names (`michat undump`): an org admin's
 * act, since the objects keep the devices and times they were first stored with. Every
 * object is checked before any is stored, so a bad one changes nothing; then each is stored
 * as a publish would be (acked after commit, fanned out), and a name that already holds the
 * same bytes counts as a duplicate, one holding other bytes as a conflict (kept as it is).
 */
export async function importObjects(deps: ImportDeps, claims: AccessClaims, channelId: number, hexes: readonly string[]): Promise<ImportResult> {
  const channel = await deps.directory.channel(channelId);
  if (!channel) throw new MichatError('NotFound', `no channel ${channelId}`);
  const user = await deps.directory.user(claims.userId);
  if (!user?.orgAdmin || user.orgId !== channel.orgId) throw new MichatError('Forbidden', "only an admin of the channel's organization can import objects");
  const prefix = channelPrefixOf(channel);
  const now = deps.clock.now();
  const objects: MichatObject[] = hexes.map((hex, i) => {
    try {
      const obj = decodeObject(fromHex(hex)!);
      checkImport(obj, prefix, now);
      return obj;
    } catch (e) {
      throw new MichatError(e instanceof MichatError && e.kind === 'Expired' ? 'Expired' : 'BadRequest', `objects[${i}]: ${(e as Error).message}`);
    }
  });
  const room = await deps.rooms.get(prefix);
  const result: ImportResult = { stored: 0, duplicates: 0, conflicts: [] };
  for (const obj of objects) {
    try {
      const { dup } = await room.publish(obj);
      if (dup) result.duplicates++;
      else result.stored++;
    } catch (e) {
      if (!(e instanceof MichatError && e.kind === 'Conflict')) throw e;
      result.conflicts.push(nameToText(obj.name));
    }
  }
  return result;
}
