// Recipients kept out of the directory (users.ephemeral_until set): deleted once past it.
import { sql, type SqlBool } from 'kysely';
import type { DbOrTx } from '../database.js';

/**
 * Deletes up to `limit` users whose ephemeral time is over, across tenants; returns how many.
 * Their preferences, unsubscribes and memberships go with them (foreign keys cascade); their
 * deliveries and log entries stay, with the address each went to.
 */
export async function deleteExpiredEphemeralUsers(db: DbOrTx, now: Date, limit: number): Promise<number> {
  const r = await db
    .deleteFrom('users')
    .where(sql<SqlBool>`(tenant_id, id) in (select tenant_id, id from users where ephemeral_until is not null and ephemeral_until <= ${now} limit ${limit})`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
