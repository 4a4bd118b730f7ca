import type { DbOrTx } from '../database.js';
import type { DeliveryRow, NewDelivery } from '../tables/deliveries.js';

/** Creates ledger rows; rows that already exist (a retried activity) are left alone. */
export async function insertDeliveries(db: DbOrTx, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['notification_id', 'user_id', 'channel']).doNothing())
    .execute();
}

export async function listDeliveryIds(db: DbOrTx, notificationId: string, statuses: readonly string[]): Promise<string[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('id')
    .where('notification_id', '=', notificationId)
    .where('status', 'in', statuses)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function listDeliveries(
  db: DbOrTx,
  tenantId: string,
  notificationId: string,
  page: { limit: number; after?: string | undefined },
): Promise<DeliveryRow[]> {
  let q = db
    .selectFrom('deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('notification_id', '=', notificationId)
    .orderBy('id')
    .limit(page.limit);
  if (page.after) q = q.where('id', '>', page.after);
  return q.execute();
}

export async function findDelivery(db: DbOrTx, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Claims a ledger row for one send attempt. Returns undefined when the row is already in
 * a final state (sent by an earlier attempt, or failed/suppressed), so the caller must
 * not send. A row left `sending` by a crashed attempt is claimed again: the stable
 * message id lets the receiving side de-duplicate that one send.
 */
export async function claimDelivery(db: DbOrTx, id: string, provider: string): Promise<DeliveryRow | undefined> {
  const now = new Date();
  return db
    .updateTable('deliveries')
    .set((eb) => ({ status: 'sending', provider, claimed_at: now, updated_at: now, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'sending'])
    .returningAll()
    .executeTakeFirst();
}

export async function completeDelivery(db: DbOrTx, id: string, providerMessageId: string | null): Promise<void> {
  const now = new Date();
  await db
    .updateTable('deliveries')
    .set({ status: 'sent', provider_message_id: providerMessageId, sent_at: now, updated_at: now, reason: null, error_code: null })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** Records a transient error while the row stays claimable for the next attempt. */
export async function noteDeliveryRetry(db: DbOrTx, id: string, reason: string, code: string | null): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'pending', reason, error_code: code, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** Ends a row as failed unless it already reached a final state. */
export async function failDelivery(db: DbOrTx, id: string, reason: string, code: string | null): Promise<void> {
  const now = new Date();
  await db
    .updateTable('deliveries')
    .set({ status: 'failed', reason, error_code: code, failed_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'sending'])
    .execute();
}

/** Marks unsent rows expired: an expired message is never delivered. */
export async function expireDeliveries(db: DbOrTx, notificationId: string, reason: string, onlyId?: string): Promise<void> {
  let q = db
    .updateTable('deliveries')
    .set({ status: 'expired', reason, updated_at: new Date() })
    .where('notification_id', '=', notificationId)
    .where('status', '=', 'pending');
  if (onlyId) q = q.where('id', '=', onlyId);
  await q.execute();
}
