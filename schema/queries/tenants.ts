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

export async function updateTenant(
  db: DbOrTx,
  id: string,
  patch: Partial<Pick<TenantRow, 'name' | 'timezone' | 'bulk_threshold' | 'outbound_allowlist' | 'tracking' | 'daily_quota' | 'approval_timeout_seconds' | 'dedup_window_seconds' | 'retention_days' | 'inline_recipients' | 'ephemeral_recipient_seconds'>> & { send_window?: string | null },
): Promise<TenantRow | undefined> {
  if (Object.keys(patch).length === 0) return findTenant(db, id);
  return db.updateTable('tenants').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Locks the tenant's row until the transaction ends: concurrent writers of its keys take turns. */
export async function lockTenant(db: DbOrTx, id: string): Promise<void> {
  await db.selectFrom('tenants').select('id').where('id', '=', id).forUpdate().execute();
}
