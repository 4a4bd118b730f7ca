import type { DeliveryCounts, NotificationStatus } from '../../common/statuses.js';
import type { DbOrTx } from '../database.js';
import type { NewNotification, NotificationRow } from '../tables/notifications.js';

/**
 * Inserts the notification unless the tenant already has one with the same idempotency
 * key; either way returns the row that owns the key, and whether it was this call's.
 */
export async function insertNotification(db: DbOrTx, n: NewNotification): Promise<{ row: NotificationRow; created: boolean }> {
  const inserted = await db
    .insertInto('notifications')
    .values(n)
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await findNotificationByIdempotencyKey(db, n.tenant_id, n.idempotency_key ?? '');
  if (!existing) throw new Error('idempotency conflict without an existing row');
  return { row: existing, created: false };
}

export async function findNotificationByIdempotencyKey(db: DbOrTx, tenantId: string, key: string): Promise<NotificationRow | undefined> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function findNotification(db: DbOrTx, tenantId: string, id: string): Promise<NotificationRow | undefined> {
  return db.selectFrom('notifications').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function deleteNotification(db: DbOrTx, tenantId: string, id: string): Promise<void> {
  await db.deleteFrom('notifications').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function setNotificationRunId(db: DbOrTx, id: string, runId: string): Promise<void> {
  await db.updateTable('notifications').set({ workflow_run_id: runId }).where('id', '=', id).execute();
}

export async function setNotificationStatus(
  db: DbOrTx,
  id: string,
  status: NotificationStatus,
  opts: { reason?: string | null; completedAt?: Date | null } = {},
): Promise<void> {
  await db
    .updateTable('notifications')
    .set({
      status,
      updated_at: new Date(),
      ...(opts.reason !== undefined ? { status_reason: opts.reason } : {}),
      ...(opts.completedAt !== undefined ? { completed_at: opts.completedAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export function emptyCounts(): DeliveryCounts {
  return { total: 0, pending: 0, sent: 0, delivered: 0, failed: 0, suppressed: 0, expired: 0 };
}

export async function countDeliveries(db: DbOrTx, notificationId: string): Promise<DeliveryCounts> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('notification_id', '=', notificationId)
    .groupBy('status')
    .execute();
  const counts = emptyCounts();
  for (const { status, n } of rows) {
    const k = Number(n);
    counts.total += k;
    if (status === 'pending' || status === 'sending') counts.pending += k;
    else if (status in counts) counts[status as keyof DeliveryCounts] += k;
  }
  return counts;
}
