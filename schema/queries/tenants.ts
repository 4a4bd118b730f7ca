import type { DbOrTx } from '../database.js';
import type { NewTenant, TenantRow } from '../tables/tenants.js';

export async function findTenant(db: DbOrTx, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertTenantIfMissing(db: DbOrTx, tenant: NewTenant): Promise<void> {
  await db.insertInto('tenants').values(tenant).onConflict((oc) => oc.column('id').doNothing()).execute();
}

/** Inserts a new tenant; false when the id is taken. */
export async function insertTenant(db: DbOrTx, tenant: NewTenant): Promise<TenantRow | undefined> {
  return db.insertInto('tenants').values(tenant).onConflict((oc) => oc.column('id').doNothing()).returningAll().executeTakeFirst();
}
