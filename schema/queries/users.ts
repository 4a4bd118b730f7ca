import { sql, type OnConflictBuilder } from 'kysely';
import type { Database, DbOrTx } from '../database.js';
import type { NewUser, UserRow } from '../tables/users.js';

/** On an existing id: replace the profile, unless the row is directory-managed (never overwritten through the users API or import). */
function replaceApiManagedProfile(oc: OnConflictBuilder<Database, 'users'>) {
  return oc
    .columns(['tenant_id', 'id'])
    .doUpdateSet((eb) => ({
      name: eb.ref('excluded.name'),
      email: eb.ref('excluded.email'),
      phone: eb.ref('excluded.phone'),
      locale: eb.ref('excluded.locale'),
      timezone: eb.ref('excluded.timezone'),
      identities: eb.ref('excluded.identities'),
      attributes: eb.ref('excluded.attributes'),
      // Put through the users API (or import): a directory user, even if a send made it ephemeral.
      ephemeral_until: null,
      updated_at: new Date(),
    }))
    .where('users.source', '=', 'api');
}

export async function upsertUser(db: DbOrTx, user: NewUser): Promise<{ row: UserRow; created: boolean }> {
  const row = await db
    .insertInto('users')
    .values(user)
    .onConflict(replaceApiManagedProfile)
    .returningAll()
    // xmax is 0 only for a freshly inserted row version: tells insert from update in one trip.
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  const { inserted, ...rest } = row;
  return { row: rest, created: inserted };
}

export async function findUser(db: DbOrTx, tenantId: string, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function findUsers(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}

/** Directory users by id (ephemeral recipients are not listed); `after` is the last id of the previous page. */
export async function listUsers(
  db: DbOrTx,
  tenantId: string,
  f: { group?: string | undefined; module?: string | undefined },
  page: { limit: number; after?: string | undefined },
): Promise<UserRow[]> {
  let q = db.selectFrom('users as u').selectAll('u').where('u.tenant_id', '=', tenantId).where('u.ephemeral_until', 'is', null).orderBy('u.id').limit(page.limit);
  if (page.after) q = q.where('u.id', '>', page.after);
  if (f.group) {
    const group = f.group;
    q = q.where(({ exists, selectFrom }) =>
      exists(selectFrom('user_groups as g').select('g.user_id').whereRef('g.tenant_id', '=', 'u.tenant_id').whereRef('g.user_id', '=', 'u.id').where('g.group_id', '=', group)),
    );
  }
  if (f.module) {
    const mod = f.module;
    q = q.where(({ exists, selectFrom }) =>
      exists(selectFrom('user_modules as m').select('m.user_id').whereRef('m.tenant_id', '=', 'u.tenant_id').whereRef('m.user_id', '=', 'u.id').where('m.module_id', '=', mod)),
    );
  }
  return q.execute();
}

export async function deleteUser(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/**
 * Inserts or replaces many users in one statement (import). Callers pass each id once:
 * PostgreSQL refuses to update the same row twice in one INSERT … ON CONFLICT.
 */
export async function upsertUsers(db: DbOrTx, users: NewUser[]): Promise<void> {
  if (users.length === 0) return;
  await db
    .insertInto('users')
    .values(users)
    .onConflict(replaceApiManagedProfile)
    .execute();
}

/**
 * Fresh planner statistics for the recipient tables. After a bulk load into a small or new
 * table the planner still believes it tiny, and the foreign-key checks of each membership
 * row then scan users one by one: seconds per thousand rows at 100k users, 30 ms after this.
 */
export async function analyzeRecipients(db: DbOrTx): Promise<void> {
  await sql`analyze users, user_groups, user_modules`.execute(db);
}
