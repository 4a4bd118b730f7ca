import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { IdempotencyKeyRow } from '../tables/idempotency-keys.js';

/**
 * Takes the key for a request: inserted when new, or taken over when its row is older than
 * `expiredBefore`, or when the same request left it in flight past its lock (its process
 * died). True when this request now holds the key.
 */
export async function claimIdempotencyKey(db: DbOrTx, tenantId: string, key: string, fingerprint: string, lockedUntil: Date, expiredBefore: Date): Promise<boolean> {
  const r = await sql<{ key: string }>`
    insert into idempotency_keys (tenant_id, key, fingerprint, locked_until, created_at)
    values (${tenantId}, ${key}, ${fingerprint}, ${lockedUntil}, now())
    on conflict (tenant_id, key) do update
      set fingerprint = excluded.fingerprint, locked_until = excluded.locked_until, created_at = excluded.created_at, response_status = null, response_body = null
      where idempotency_keys.created_at < ${expiredBefore}
         or (idempotency_keys.response_status is null and idempotency_keys.locked_until < now() and idempotency_keys.fingerprint = excluded.fingerprint)
    returning key`.execute(db);
  return r.rows.length > 0;
}

export async function findIdempotencyKey(db: DbOrTx, tenantId: string, key: string): Promise<IdempotencyKeyRow | undefined> {
  return db.selectFrom('idempotency_keys').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
}

export async function completeIdempotencyKey(db: DbOrTx, tenantId: string, key: string, status: number, body: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: status, response_body: JSON.stringify(body ?? null), locked_until: null })
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .execute();
}

/** Frees a key whose request did not finish (an error, a dependency down): a retry runs it again. */
export async function releaseIdempotencyKey(db: DbOrTx, tenantId: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('tenant_id', '=', tenantId).where('key', '=', key).where('response_status', 'is', null).execute();
}

export async function deleteExpiredIdempotencyKeys(db: DbOrTx, expiredBefore: Date): Promise<number> {
  const r = await db.deleteFrom('idempotency_keys').where('created_at', '<', expiredBefore).executeTakeFirst();
  return Number(r.numDeletedRows);
}
