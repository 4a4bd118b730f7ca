// Recipients kept out of the directory (users.ephemeral_until set): deleted once past it.
import { sql, type SqlBool } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { DeliveryStatus } from '../tables/statuses.js';

/** A delivery still to be made (deferred by quiet hours, waiting for a retry) keeps its recipient. */
const UNFINISHED: DeliveryStatus[] = ['pending', 'sending'];

/**
 * Deletes up to `limit` users whose ephemeral time is over and who have no delivery still to
 * be made, across tenants; returns how many. Their preferences, unsubscribes and memberships
 * go with them (foreign keys cascade); their deliveries and log entries stay, with the address
 * each went to.
 */
export async function deleteExpiredEphemeralUsers(db: DbOrTx, now: Date, limit: number): Promise<number> {
  const r = await db
    .deleteFrom('users')
    .where(
      sql<SqlBool>`(tenant_id, id) in (
        select u.tenant_id, u.id from users u
        where u.ephemeral_until is not null and u.ephemeral_until <= ${now}
          and not exists (select 1 from deliveries d where d.tenant_id = u.tenant_id and d.user_id = u.id and d.status in (${sql.join(UNFINISHED)}))
        limit ${limit})`,
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
