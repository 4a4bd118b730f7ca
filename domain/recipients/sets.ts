// Groups and modules: named sets of users that a bulk notification can target. Groups a
// directory (SCIM, LDAP) manages change only there.
import type { DbOrTx } from '../../schema/database.js';
import { deleteSet, upsertSet, type SetKind, type SetRow } from '../../schema/queries/memberships.js';
import { sourceOf } from '../../schema/queries/scim.js';
import type { Actor } from '../actor.js';
import { conflict, notFound } from '../errors.js';

/** Only groups come from a directory. */
async function refuseDirectoryGroup(db: DbOrTx, kind: SetKind, tenantId: string, id: string): Promise<void> {
  if (kind !== 'group') return;
  const source = await sourceOf(db, 'group', tenantId, id);
  if (source && source !== 'api') throw conflict('directory_managed', `group ${id} is managed by ${source === 'scim' ? 'SCIM' : 'the LDAP directory sync'}; change it there`);
}

export async function putSet(
  db: DbOrTx,
  actor: Actor,
  kind: SetKind,
  id: string,
  s: { name?: string | null | undefined; description?: string | null | undefined },
): Promise<{ row: SetRow; created: boolean }> {
  await refuseDirectoryGroup(db, kind, actor.tenantId, id);
  return upsertSet(db, kind, { tenant_id: actor.tenantId, id, name: s.name ?? null, description: s.description ?? null });
}

/** Deletes the set and its memberships; the users stay. */
export async function removeSet(db: DbOrTx, actor: Actor, kind: SetKind, id: string): Promise<void> {
  await refuseDirectoryGroup(db, kind, actor.tenantId, id);
  if (!(await deleteSet(db, kind, actor.tenantId, id))) throw notFound(kind);
}
