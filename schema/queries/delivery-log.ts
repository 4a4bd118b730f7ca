// The activity log of notifications and the reads the tracker needs to describe a delivery:
// the ledger row with the notification fields every analytics event carries.
import type { DbOrTx } from '../database.js';
import { notificationCreatedAt } from './deliveries.js';
import type { DeliveryLogRow, NewDeliveryLogEntry } from '../tables/delivery-log.js';
import type { Audience } from '../tables/notifications.js';

/** Appends entries; an entry whose key is already logged (a retried activity) is left as it is. Returns the keys written now. */
export async function insertLogEntries(db: DbOrTx, rows: NewDeliveryLogEntry[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const written = await db
    .insertInto('delivery_log')
    .values(rows.map((r) => ({ ...r, notification_created_at: notificationCreatedAt(r.notification_id) })))
    .onConflict((oc) => oc.columns(['event_key', 'notification_created_at']).doNothing())
    .returning('event_key')
    .execute();
  return new Set(written.map((r) => r.event_key));
}

/** One notification's log, oldest first; `after` is the last id of the previous page. */
export async function listLogEntries(
  db: DbOrTx,
  tenantId: string,
  notificationId: string,
  page: { limit: number; after?: string | undefined },
): Promise<DeliveryLogRow[]> {
  let q = db
    .selectFrom('delivery_log')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('notification_id', '=', notificationId)
    .orderBy('id')
    .limit(page.limit);
  if (page.after) q = q.where('id', '>', page.after);
  return q.execute();
}

/** A ledger row with what analytics needs of its notification. */
export interface TrackedDelivery {
  id: string;
  tenant_id: string;
  notification_id: string;
  user_id: string;
  channel: string;
  provider: string | null;
  status: string;
  attempts: number;
  reason: string | null;
  error_code: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  deferred_until: Date | null;
  template_key: string;
  template_version: number;
  priority: string;
  category: string | null;
  audience: Audience;
  notification_created_at: Date;
}

function trackedQuery(db: DbOrTx) {
  return db
    .selectFrom('deliveries as d')
    .innerJoin('notifications as n', 'n.id', 'd.notification_id')
    .select([
      'd.id',
      'd.tenant_id',
      'd.notification_id',
      'd.user_id',
      'd.channel',
      'd.provider',
      'd.status',
      'd.attempts',
      'd.reason',
      'd.error_code',
      'd.created_at',
      'd.updated_at',
      'd.sent_at',
      'd.delivered_at',
      'd.failed_at',
      'd.deferred_until',
      'n.template_key',
      'n.template_version',
      'n.priority',
      'n.category',
      'n.audience',
      'n.created_at as notification_created_at',
    ]);
}

export async function findTrackedDelivery(db: DbOrTx, deliveryId: string): Promise<TrackedDelivery | undefined> {
  return trackedQuery(db).where('d.id', '=', deliveryId).executeTakeFirst();
}

/** A page of a notification's ledger rows (optionally only some statuses), in id order. */
export async function trackedDeliveriesPage(
  db: DbOrTx,
  notificationId: string,
  page: { limit: number; after?: string | undefined; statuses?: readonly string[] | undefined },
): Promise<TrackedDelivery[]> {
  let q = trackedQuery(db).where('d.notification_id', '=', notificationId).orderBy('d.id').limit(page.limit);
  if (page.after) q = q.where('d.id', '>', page.after);
  if (page.statuses) q = q.where('d.status', 'in', [...page.statuses]);
  return q.execute();
}

/** These ledger rows (one page of a bulk send). */
export async function trackedDeliveriesByIds(db: DbOrTx, ids: readonly string[]): Promise<TrackedDelivery[]> {
  if (ids.length === 0) return [];
  return trackedQuery(db).where('d.id', 'in', [...ids]).orderBy('d.id').execute();
}

/** Whether a tenant's email carries the open pixel and click-tracking links. */
export async function tenantTracksEmail(db: DbOrTx, tenantId: string): Promise<boolean> {
  const row = await db.selectFrom('tenants').select('tracking').where('id', '=', tenantId).executeTakeFirst();
  return row?.tracking ?? true;
}
