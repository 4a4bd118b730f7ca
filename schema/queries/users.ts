import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NewUser, UserRow } from '../tables/users.js';

export async function upsertUser(db: DbOrTx, user: NewUser): Promise<{ row: UserRow; created: boolean }> {
  const row = await db
    .insertInto('users')
    .values(user)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        email: eb.ref('excluded.email'),
        phone: eb.ref('excluded.phone'),
        locale: eb.ref('excluded.locale'),
        timezone: eb.ref('excluded.timezone'),
        identities: eb.ref('excluded.identities'),
        attributes: eb.ref('excluded.attributes'),
        updated_at: new Date(),
      })),
    )
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
