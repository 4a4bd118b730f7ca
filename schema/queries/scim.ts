// Users and groups an identity provider manages over SCIM (`source = 'scim'`), and the SCIM
// filter compiled to SQL for list queries. Only the attributes an identity provider filters on
// in practice are compiled; anything else is refused (400 invalidFilter) rather than ignored.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ScimFilter } from './scim-filter-tree.js';
import type { Database, DbOrTx } from '../database.js';
import type { GroupRow } from '../tables/groups.js';
import type { ProfileWarning, UserRow } from '../tables/users.js';

export class UnsupportedFilterError extends Error {
  override name = 'UnsupportedFilterError';
}

type UsersEb = ExpressionBuilder<Database & { u: Database['users'] }, 'u'>;
type GroupsEb = ExpressionBuilder<Database & { g: Database['groups'] }, 'g'>;

/** Column (as SQL) per filterable attribute; `ci` compares case-insensitively (caseExact=false). */
const USER_ATTRS: Record<string, { col: string; ci: boolean; bool?: boolean }> = {
  id: { col: 'u.id', ci: false },
  username: { col: 'u.user_name', ci: true },
  externalid: { col: 'u.external_id', ci: false },
  active: { col: 'u.active', ci: false, bool: true },
  'emails.value': { col: 'u.email', ci: true },
  emails: { col: 'u.email', ci: true },
  displayname: { col: 'u.name', ci: false },
};
const GROUP_ATTRS: Record<string, { col: string; ci: boolean; bool?: boolean }> = {
  id: { col: 'g.id', ci: false },
  displayname: { col: 'g.name', ci: true },
  externalid: { col: 'g.external_id', ci: false },
};

function compile(f: ScimFilter, attrs: typeof USER_ATTRS): Expression<SqlBool> {
  switch (f.type) {
    case 'and':
      return sql<SqlBool>`(${compile(f.left, attrs)} and ${compile(f.right, attrs)})`;
    case 'or':
      return sql<SqlBool>`(${compile(f.left, attrs)} or ${compile(f.right, attrs)})`;
    case 'not':
      return sql<SqlBool>`(not coalesce(${compile(f.filter, attrs)}, false))`;
    case 'valuePath': {
      // emails[value eq "x"] is emails.value eq "x" for the one address a Herald user has.
      const inner = f.filter;
      if (inner.type !== 'compare' && inner.type !== 'present') throw new UnsupportedFilterError(`filtering on ${f.attr}[…] supports one comparison`);
      return compile({ ...inner, attr: `${f.attr}.${inner.attr}` }, attrs);
    }
    case 'present': {
      const a = attrs[f.attr.toLowerCase()];
      if (!a) throw new UnsupportedFilterError(`filtering on "${f.attr}" is not supported`);
      return sql<SqlBool>`(${sql.ref(a.col)} is not null)`;
    }
    case 'compare': {
      const a = attrs[f.attr.toLowerCase()];
      if (!a) throw new UnsupportedFilterError(`filtering on "${f.attr}" is not supported`);
      if (a.bool) {
        if (typeof f.value !== 'boolean' || (f.op !== 'eq' && f.op !== 'ne')) throw new UnsupportedFilterError(`${f.attr} compares with eq/ne true/false`);
        return f.op === 'eq' ? sql<SqlBool>`(${sql.ref(a.col)} = ${f.value})` : sql<SqlBool>`(${sql.ref(a.col)} <> ${f.value})`;
      }
      if (typeof f.value !== 'string') throw new UnsupportedFilterError(`${f.attr} compares with a string`);
      const col = a.ci ? sql`lower(${sql.ref(a.col)})` : sql.ref(a.col);
      const v = a.ci ? f.value.toLowerCase() : f.value;
      const like = v.replace(/[\\%_]/g, (c) => `\\${c}`);
      switch (f.op) {
        case 'eq':
          return sql<SqlBool>`(${col} = ${v})`;
        case 'ne':
          return sql<SqlBool>`(${col} is distinct from ${v})`;
        case 'co':
          return sql<SqlBool>`(${col} like ${`%${like}%`})`;
        case 'sw':
          return sql<SqlBool>`(${col} like ${`${like}%`})`;
        case 'ew':
          return sql<SqlBool>`(${col} like ${`%${like}`})`;
        case 'gt':
          return sql<SqlBool>`(${col} > ${v})`;
        case 'ge':
          return sql<SqlBool>`(${col} >= ${v})`;
        case 'lt':
          return sql<SqlBool>`(${col} < ${v})`;
        case 'le':
          return sql<SqlBool>`(${col} <= ${v})`;
      }
    }
  }
}

/** Compiles (and so validates) a filter before any query runs: throws UnsupportedFilterError. */
export function checkUserFilter(f: ScimFilter): void {
  compile(f, USER_ATTRS);
}
export function checkGroupFilter(f: ScimFilter): void {
  compile(f, GROUP_ATTRS);
}

export async function findScimUser(db: DbOrTx, tenantId: string, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).where('source', '=', 'scim').executeTakeFirst();
}

export async function findScimUserByUserName(db: DbOrTx, tenantId: string, userName: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('source', '=', 'scim')
    .where(sql<string>`lower(user_name)`, '=', userName.toLowerCase())
    .executeTakeFirst();
}

export async function userIdExists(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  return !!(await db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst());
}

/** One page in creation order (SCIM pages by 1-based index), and the total the filter matches. */
export async function listScimUsers(db: DbOrTx, tenantId: string, filter: ScimFilter | undefined, page: { offset: number; limit: number }): Promise<{ rows: UserRow[]; total: number }> {
  const where = (eb: UsersEb) => {
    const base = eb.and([eb('u.tenant_id', '=', tenantId), eb('u.source', '=', 'scim')]);
    return filter ? eb.and([base, compile(filter, USER_ATTRS)]) : base;
  };
  const [rows, total] = await Promise.all([
    page.limit > 0 ? db.selectFrom('users as u').selectAll('u').where(where).orderBy('u.created_at').orderBy('u.id').offset(page.offset).limit(page.limit).execute() : Promise.resolve([]),
    db.selectFrom('users as u').select((eb) => eb.fn.countAll<string>().as('n')).where(where).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export interface ScimUserFields {
  user_name: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  active: boolean;
  deactivated_reason: string | null;
  directory_data: Record<string, unknown>;
  profile_warnings: ProfileWarning[];
}

export async function insertScimUser(db: DbOrTx, tenantId: string, id: string, f: ScimUserFields): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({ tenant_id: tenantId, id, source: 'scim', identities: '{}', attributes: '{}', ...f, directory_data: JSON.stringify(f.directory_data), profile_warnings: JSON.stringify(f.profile_warnings) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateScimUser(db: DbOrTx, tenantId: string, id: string, f: ScimUserFields): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({ ...f, directory_data: JSON.stringify(f.directory_data), profile_warnings: JSON.stringify(f.profile_warnings), updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('source', '=', 'scim')
    .returningAll()
    .executeTakeFirst();
}

/** SCIM groups of these users, for the read-only `groups` attribute of a User. */
export async function scimGroupsOf(db: DbOrTx, tenantId: string, userIds: readonly string[]): Promise<Map<string, { id: string; name: string | null }[]>> {
  const out = new Map<string, { id: string; name: string | null }[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('user_groups as m')
    .innerJoin('groups as g', (j) => j.onRef('g.tenant_id', '=', 'm.tenant_id').onRef('g.id', '=', 'm.group_id'))
    .select(['m.user_id', 'g.id', 'g.name'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.user_id', 'in', userIds)
    .where('g.source', '=', 'scim')
    .orderBy('g.id')
    .execute();
  for (const r of rows) out.get(r.user_id)?.push({ id: r.id, name: r.name });
  return out;
}

export async function findScimGroup(db: DbOrTx, tenantId: string, id: string): Promise<GroupRow | undefined> {
  return db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).where('source', '=', 'scim').executeTakeFirst();
}

export async function groupIdExists(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  return !!(await db.selectFrom('groups').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst());
}

export async function listScimGroups(db: DbOrTx, tenantId: string, filter: ScimFilter | undefined, page: { offset: number; limit: number }): Promise<{ rows: GroupRow[]; total: number }> {
  const where = (eb: GroupsEb) => {
    const base = eb.and([eb('g.tenant_id', '=', tenantId), eb('g.source', '=', 'scim')]);
    return filter ? eb.and([base, compile(filter, GROUP_ATTRS)]) : base;
  };
  const [rows, total] = await Promise.all([
    page.limit > 0 ? db.selectFrom('groups as g').selectAll('g').where(where).orderBy('g.created_at').orderBy('g.id').offset(page.offset).limit(page.limit).execute() : Promise.resolve([]),
    db.selectFrom('groups as g').select((eb) => eb.fn.countAll<string>().as('n')).where(where).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function insertScimGroup(db: DbOrTx, tenantId: string, id: string, f: { name: string; external_id: string | null }): Promise<GroupRow> {
  return db.insertInto('groups').values({ tenant_id: tenantId, id, source: 'scim', description: null, ...f }).returningAll().executeTakeFirstOrThrow();
}

export async function updateScimGroup(db: DbOrTx, tenantId: string, id: string, f: { name: string; external_id: string | null }): Promise<GroupRow | undefined> {
  return db.updateTable('groups').set({ ...f, updated_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', id).where('source', '=', 'scim').returningAll().executeTakeFirst();
}

/** Members of one group with their names, by user id. */
export async function groupMembers(db: DbOrTx, tenantId: string, groupId: string): Promise<{ id: string; name: string | null; user_name: string | null }[]> {
  return db
    .selectFrom('user_groups as m')
    .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'm.tenant_id').onRef('u.id', '=', 'm.user_id'))
    .select(['u.id', 'u.name', 'u.user_name'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.group_id', '=', groupId)
    .orderBy('u.id')
    .execute();
}

/** Which of these ids are users of the tenant. */
export async function existingUserIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** Makes the group's members exactly `userIds`; returns what changed. */
export async function setGroupMembers(db: DbOrTx, tenantId: string, groupId: string, userIds: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
  const current = new Set((await db.selectFrom('user_groups').select('user_id').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).execute()).map((r) => r.user_id));
  const wanted = new Set(userIds);
  const added = [...wanted].filter((id) => !current.has(id));
  const removed = [...current].filter((id) => !wanted.has(id));
  if (removed.length > 0) await db.deleteFrom('user_groups').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).where('user_id', 'in', removed).execute();
  if (added.length > 0) await db.insertInto('user_groups').values(added.map((user_id) => ({ tenant_id: tenantId, group_id: groupId, user_id }))).execute();
  return { added, removed };
}

/** The source of a user or group row (undefined when there is none): the users and groups APIs refuse directory-managed rows. */
export async function sourceOf(db: DbOrTx, kind: 'user' | 'group', tenantId: string, id: string): Promise<string | undefined> {
  const row =
    kind === 'user'
      ? await db.selectFrom('users').select('source').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
      : await db.selectFrom('groups').select('source').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row?.source;
}

/** Of these group ids, the ones a directory manages. */
export async function directoryGroupIds(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('groups').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).where('source', '<>', 'api').execute();
  return rows.map((r) => r.id);
}
