import type { DbOrTx } from '../database.js';
import type { ApiKeyRow, NewApiKey } from '../tables/api-keys.js';

export async function insertApiKey(db: DbOrTx, key: NewApiKey): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(key).returningAll().executeTakeFirstOrThrow();
}

/** The live key with this hash: not revoked, not expired. */
export async function findActiveKeyByHash(db: DbOrTx, secretHash: string): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]))
    .executeTakeFirst();
}

export async function countTenantKeys(db: DbOrTx, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function touchKeyLastUsed(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function listTenantKeys(db: DbOrTx, tenantId: string, page: { limit: number; after?: string | undefined }): Promise<ApiKeyRow[]> {
  let q = db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit);
  if (page.after) q = q.where('id', '>', page.after);
  return q.execute();
}

/** Revokes a key of this tenant; false when the tenant has no such live key. */
export async function revokeKey(db: DbOrTx, tenantId: string, id: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
