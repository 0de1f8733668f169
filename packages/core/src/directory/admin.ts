import { MichatError } from '@michat/protocol';
import type { Directory } from './directory.ts';
import type { OrgRecord, UserRecord } from './records.ts';

/**
 * First run: the first organization and its admin. Works offline on a data directory
 * (`michat admin init`) and refuses to run twice on the same one.
 */
export async function initOrganization(dir: Directory, input: { org: string; username: string; password: string }): Promise<{ org: OrgRecord; admin: UserRecord }> {
  if (!(await dir.isEmpty())) throw new MichatError('Conflict', 'this data directory already has an organization');
  const org = await dir.createOrg(input.org);
  const admin = await dir.createUser({ orgId: org.id, username: input.username, password: input.password, orgAdmin: true });
  return { org, admin };
}

/**
 * A relay account of an organization (`michat admin relay add`): what a relay signs in
 * upstream as. It may read every channel of its org and publish objects of member devices
 * (docs/access.md, relay accounts); it belongs to no team and can do nothing else.
 */
export async function createRelayAccount(dir: Directory, input: { orgId: number; username: string; password: string }): Promise<UserRecord> {
  return dir.createUser({ ...input, relay: true });
}
