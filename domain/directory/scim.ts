// SCIM provisioning (RFC 7644) as Herald's rules: a userName belongs to one user, a group's
// members must exist, an identity provider's ids become Herald ids when they can, and every
// write leaves an audit entry. Errors carry SCIM's `scimType` as their code.
import { ulid } from 'ulid';
import type { Db, DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { deleteSet } from '../../schema/queries/memberships.js';
import {
  existingUserIds,
  findScimGroup,
  findScimUser,
  findScimUserByUserName,
  groupIdExists,
  groupMembers,
  insertScimGroup,
  insertScimUser,
  setGroupMembers,
  updateScimGroup,
  updateScimUser,
  userIdExists,
  type ScimUserFields,
} from '../../schema/queries/scim.js';
import { deleteUser } from '../../schema/queries/users.js';
import type { GroupRow } from '../../schema/tables/groups.js';
import type { UserRow } from '../../schema/tables/users.js';
import type { Actor } from '../actor.js';
import { conflict, DomainError, invalid } from '../errors.js';
import { isClientId } from '../recipients/client-id.js';

const missing = (type: 'User' | 'Group', id: string) => new DomainError('not_found', 'not_found', `${type} ${id} not found`);
const userNameTaken = (userName: string) => conflict('uniqueness', `userName "${userName}" is already taken`);

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/** The preferred id when it can be a Herald id and is free, so business systems can address directory users by the name they know. */
async function chooseId(db: DbOrTx, tenantId: string, preferred: string, exists: (db: DbOrTx, t: string, id: string) => Promise<boolean>): Promise<string> {
  if (isClientId(preferred) && !(await exists(db, tenantId, preferred))) return preferred;
  return `scim-${ulid().toLowerCase()}`;
}

export async function loadScimUser(db: DbOrTx, tenantId: string, id: string): Promise<UserRow> {
  const row = await findScimUser(db, tenantId, id);
  if (!row) throw missing('User', id);
  return row;
}

export async function loadScimGroup(db: DbOrTx, tenantId: string, id: string): Promise<GroupRow> {
  const row = await findScimGroup(db, tenantId, id);
  if (!row) throw missing('Group', id);
  return row;
}

/** Creates (id null) or updates a SCIM user; its userName must be free. */
async function writeUser(db: Db, tenantId: string, id: string | null, fields: ScimUserFields): Promise<UserRow> {
  try {
    return await db.transaction().execute(async (tx) => {
      const holder = await findScimUserByUserName(tx, tenantId, fields.user_name);
      if (holder && holder.id !== id) throw userNameTaken(fields.user_name);
      if (id === null) return insertScimUser(tx, tenantId, await chooseId(tx, tenantId, fields.user_name, userIdExists), fields);
      const row = await updateScimUser(tx, tenantId, id, fields);
      if (!row) throw missing('User', id);
      return row;
    });
  } catch (err) {
    // Two creates of one userName racing: the unique index decides.
    if (isUniqueViolation(err)) throw userNameTaken(fields.user_name);
    throw err;
  }
}

async function audit(db: DbOrTx, actor: Actor, action: string, targetType: 'user' | 'group', targetId: string, details?: Record<string, unknown>): Promise<void> {
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action, targetType, targetId, ...(details ? { details } : {}) });
}

export async function createScimUser(db: Db, actor: Actor, fields: ScimUserFields): Promise<UserRow> {
  const row = await writeUser(db, actor.tenantId, null, fields);
  await audit(db, actor, 'scim.user.create', 'user', row.id);
  return row;
}

export async function replaceScimUser(db: Db, actor: Actor, id: string, fields: ScimUserFields): Promise<UserRow> {
  const row = await writeUser(db, actor.tenantId, id, fields);
  await audit(db, actor, 'scim.user.replace', 'user', row.id);
  return row;
}

/** A patch of `current`; turning `active` off or on is audited as a deactivation or reactivation. */
export async function patchScimUser(db: Db, actor: Actor, current: UserRow, fields: ScimUserFields): Promise<UserRow> {
  const row = await writeUser(db, actor.tenantId, current.id, fields);
  const action = current.active && !row.active ? 'scim.user.deactivate' : !current.active && row.active ? 'scim.user.reactivate' : 'scim.user.patch';
  await audit(db, actor, action, 'user', row.id);
  return row;
}

/** Deletes the user; its delivery history stays. */
export async function deleteScimUser(db: DbOrTx, actor: Actor, id: string): Promise<void> {
  await loadScimUser(db, actor.tenantId, id);
  await deleteUser(db, actor.tenantId, id);
  await audit(db, actor, 'scim.user.delete', 'user', id);
}

/** A group as an identity provider states it. */
export interface ScimGroupFields {
  displayName: string;
  externalId?: string | null | undefined;
  memberIds: string[];
}

export interface ScimGroupWrite {
  row: GroupRow;
  members: Awaited<ReturnType<typeof groupMembers>>;
  changes: { added: string[]; removed: string[] };
}

/** Creates (id null) or updates a group and sets its members, who must all exist, in one transaction. */
async function writeGroup(db: Db, tenantId: string, id: string | null, g: ScimGroupFields): Promise<ScimGroupWrite> {
  const memberIds = [...new Set(g.memberIds)];
  return db.transaction().execute(async (tx) => {
    const known = await existingUserIds(tx, tenantId, memberIds);
    const unknown = memberIds.filter((m) => !known.has(m));
    if (unknown.length > 0) throw invalid('invalidValue', `members: no such User: ${unknown.slice(0, 10).join(', ')}`);
    const fields = { name: g.displayName, external_id: g.externalId ?? null };
    let row: GroupRow | undefined;
    if (id === null) {
      const slug = g.displayName.toLowerCase().replace(/[^a-z0-9._:@-]+/g, '-').replace(/^-+|-+$/g, '');
      row = await insertScimGroup(tx, tenantId, await chooseId(tx, tenantId, slug, groupIdExists), fields);
    } else {
      row = await updateScimGroup(tx, tenantId, id, fields);
      if (!row) throw missing('Group', id);
    }
    const changes = await setGroupMembers(tx, tenantId, row.id, memberIds);
    return { row, changes, members: await groupMembers(tx, tenantId, row.id) };
  });
}

export async function createScimGroup(db: Db, actor: Actor, g: ScimGroupFields): Promise<ScimGroupWrite> {
  const w = await writeGroup(db, actor.tenantId, null, g);
  await audit(db, actor, 'scim.group.create', 'group', w.row.id);
  return w;
}

export async function replaceScimGroup(db: Db, actor: Actor, id: string, g: ScimGroupFields): Promise<ScimGroupWrite> {
  const w = await writeGroup(db, actor.tenantId, id, g);
  await audit(db, actor, 'scim.group.replace', 'group', w.row.id);
  return w;
}

/** A patch, audited with the members it added and removed. */
export async function patchScimGroup(db: Db, actor: Actor, id: string, g: ScimGroupFields): Promise<ScimGroupWrite> {
  const w = await writeGroup(db, actor.tenantId, id, g);
  await audit(db, actor, 'scim.group.patch', 'group', w.row.id, { membersAdded: w.changes.added, membersRemoved: w.changes.removed });
  return w;
}

/** Deletes the group; its users stay. */
export async function deleteScimGroup(db: DbOrTx, actor: Actor, id: string): Promise<void> {
  await loadScimGroup(db, actor.tenantId, id);
  await deleteSet(db, 'group', actor.tenantId, id);
  await audit(db, actor, 'scim.group.delete', 'group', id);
}
