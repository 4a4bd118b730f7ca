// Groups and modules: two tables of the same shape, each with a membership table.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { GroupRow } from '../tables/groups.js';

export type SetKind = 'group' | 'module';

/** Groups and modules share a row shape (only groups come from a directory, so the source columns are not part of it). */
export type SetRow = Omit<GroupRow, 'source' | 'external_id'>;

export interface NewSet {
  tenant_id: string;
  id: string;
  name: string | null;
  description: string | null;
}

export async function upsertSet(db: DbOrTx, kind: SetKind, s: NewSet): Promise<{ row: SetRow; created: boolean }> {
  const table = kind === 'group' ? 'groups' : 'modules';
  const row = await db
    .insertInto(table)
    .values(s)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), description: eb.ref('excluded.description'), updated_at: new Date() })),
    )
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  const { inserted, ...rest } = row;
  return { row: rest, created: inserted };
}

export async function findSet(db: DbOrTx, kind: SetKind, tenantId: string, id: string): Promise<SetRow | undefined> {
  const table = kind === 'group' ? 'groups' : 'modules';
  return db.selectFrom(table).selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function deleteSet(db: DbOrTx, kind: SetKind, tenantId: string, id: string): Promise<boolean> {
  const table = kind === 'group' ? 'groups' : 'modules';
  const r = await db.deleteFrom(table).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Sets with their member counts, by id; `after` is the last id of the previous page. */
export async function listSets(db: DbOrTx, kind: SetKind, tenantId: string, page: { limit: number; after?: string | undefined }): Promise<(SetRow & { members: number })[]> {
  const table = kind === 'group' ? 'groups' : 'modules';
  const members = kind === 'group' ? 'user_groups' : 'user_modules';
  const fk = kind === 'group' ? 'group_id' : 'module_id';
  let q = db
    .selectFrom(table)
    .selectAll()
    .select(sql<string>`(select count(*) from ${sql.table(members)} m where m.tenant_id = ${sql.ref(`${table}.tenant_id`)} and m.${sql.ref(fk)} = ${sql.ref(`${table}.id`)})`.as('members'))
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .limit(page.limit);
  if (page.after) q = q.where('id', '>', page.after);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, members: Number(r.members) }));
}

/** Creates the sets that do not exist yet (membership by id creates them, as import does). */
export async function ensureSets(db: DbOrTx, kind: SetKind, tenantId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const table = kind === 'group' ? 'groups' : 'modules';
  await db
    .insertInto(table)
    .values([...new Set(ids)].map((id) => ({ tenant_id: tenantId, id, name: null, description: null })))
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
    .execute();
}

/** Replaces the memberships of these users in one kind of set. */
export async function replaceMemberships(db: DbOrTx, kind: SetKind, tenantId: string, byUser: ReadonlyMap<string, readonly string[]>): Promise<void> {
  if (byUser.size === 0) return;
  const allIds = [...new Set([...byUser.values()].flat())];
  await ensureSets(db, kind, tenantId, allIds);
  const userIds = [...byUser.keys()];
  if (kind === 'group') {
    await db.deleteFrom('user_groups').where('tenant_id', '=', tenantId).where('user_id', 'in', userIds).execute();
    const rows = [...byUser].flatMap(([user_id, ids]) => [...new Set(ids)].map((group_id) => ({ tenant_id: tenantId, group_id, user_id })));
    if (rows.length > 0) await db.insertInto('user_groups').values(rows).execute();
  } else {
    await db.deleteFrom('user_modules').where('tenant_id', '=', tenantId).where('user_id', 'in', userIds).execute();
    const rows = [...byUser].flatMap(([user_id, ids]) => [...new Set(ids)].map((module_id) => ({ tenant_id: tenantId, module_id, user_id })));
    if (rows.length > 0) await db.insertInto('user_modules').values(rows).execute();
  }
}

/** group and module ids per user, for presenting users. */
export async function membershipsOf(db: DbOrTx, tenantId: string, userIds: readonly string[]): Promise<Map<string, { groups: string[]; modules: string[] }>> {
  const out = new Map<string, { groups: string[]; modules: string[] }>(userIds.map((id) => [id, { groups: [], modules: [] }]));
  if (userIds.length === 0) return out;
  const [groups, modules] = await Promise.all([
    db.selectFrom('user_groups').select(['user_id', 'group_id']).where('tenant_id', '=', tenantId).where('user_id', 'in', userIds).orderBy('group_id').execute(),
    db.selectFrom('user_modules').select(['user_id', 'module_id']).where('tenant_id', '=', tenantId).where('user_id', 'in', userIds).orderBy('module_id').execute(),
  ]);
  for (const g of groups) out.get(g.user_id)?.groups.push(g.group_id);
  for (const m of modules) out.get(m.user_id)?.modules.push(m.module_id);
  return out;
}

export async function countMembers(db: DbOrTx, kind: SetKind, tenantId: string, id: string): Promise<number> {
  const r =
    kind === 'group'
      ? await db.selectFrom('user_groups').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).where('group_id', '=', id).executeTakeFirstOrThrow()
      : await db.selectFrom('user_modules').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).where('module_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}
