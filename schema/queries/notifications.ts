import { sql } from 'kysely';
import type { DeliveryCounts, NotificationStatus } from '../tables/statuses.js';
import { auditValues, type AuditEntry } from './audit-log.js';
import type { DbOrTx } from '../database.js';
import type { NewNotification, NotificationRow } from '../tables/notifications.js';

/**
 * Inserts the notification unless the tenant already has one with the same idempotency
 * key; either way returns the row that owns the key, and whether it was this call's.
 */
/**
 * Inserts several notifications in one statement; a row whose idempotency key is taken (also
 * by an earlier row of the same call) is skipped. Returns the rows inserted, by id.
 */
export async function insertNotificationsSkippingTaken(db: DbOrTx, rows: readonly NewNotification[]): Promise<Map<string, NotificationRow>> {
  if (rows.length === 0) return new Map();
  const inserted = await db
    .insertInto('notifications')
    .values([...rows])
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .returningAll()
    .execute();
  return new Map(inserted.map((r) => [r.id, r]));
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
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function deleteNotification(db: DbOrTx, tenantId: string, id: string): Promise<void> {
  await db.deleteFrom('notifications').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export interface StartedRun {
  id: string;
  runId: string;
  /** The audit entry of the notification's creation, written with its run id. */
  audit?: AuditEntry | undefined;
}

/** Records the runs of several notifications and their audit entries, in one statement. */
export async function setNotificationRunIds(db: DbOrTx, runs: readonly StartedRun[]): Promise<void> {
  if (runs.length === 0) return;
  const pairs = sql.join(runs.map((r) => sql`(${r.id}, ${r.runId})`));
  const update = sql`update notifications as n set workflow_run_id = v.run_id from (values ${pairs}) as v(id, run_id) where n.id = v.id`;
  const audits = runs.flatMap((r) => (r.audit ? [auditValues(r.audit)] : []));
  if (audits.length === 0) {
    await update.execute(db);
    return;
  }
  const rows = sql.join(audits.map((a) => sql`(${a.tenant_id}, ${a.actor}, ${a.action}, ${a.target_type}, ${a.target_id}, ${a.details}::jsonb)`));
  await sql`with started as (${update}) insert into audit_log (tenant_id, actor, action, target_type, target_id, details) values ${rows}`.execute(db);
}
export async function setNotificationStatus(
  db: DbOrTx,
  id: string,
  status: NotificationStatus,
  opts: { reason?: string | null; completedAt?: Date | null; runId?: string | undefined } = {},
): Promise<void> {
  await db
    .updateTable('notifications')
    .set((eb) => ({
      status,
      updated_at: new Date(),
      ...(opts.reason !== undefined ? { status_reason: opts.reason } : {}),
      ...(opts.completedAt !== undefined ? { completed_at: opts.completedAt } : {}),
      // The run that ends the notification records itself where nobody did (the API died
      // between starting it and recording it, and the run ended before the sweeper looked).
      ...(opts.runId !== undefined ? { workflow_run_id: eb.fn.coalesce('workflow_run_id', eb.val(opts.runId)) } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

export function emptyCounts(): DeliveryCounts {
  return { total: 0, pending: 0, sent: 0, delivered: 0, failed: 0, bounced: 0, suppressed: 0, expired: 0, recalled: 0 };
}

/** The columns of notification_delivery_counts, named as DeliveryCounts names them. */
const COUNT_COLUMNS = ['total', 'pending', 'sent', 'delivered', 'failed', 'bounced', 'suppressed', 'expired', 'recalled'] as const satisfies readonly (keyof DeliveryCounts)[];

function countsOf(row: Record<(typeof COUNT_COLUMNS)[number], string>): DeliveryCounts {
  const counts = emptyCounts();
  for (const column of COUNT_COLUMNS) counts[column] = Number(row[column]);
  return counts;
}

/**
 * The notification's ledger rows per status: one row that PostgreSQL keeps exact (the
 * delivery-counts migration), so a campaign of a million recipients reads as fast as one.
 */
export async function countDeliveries(db: DbOrTx, notificationId: string): Promise<DeliveryCounts> {
  const row = await db.selectFrom('notification_delivery_counts').select(COUNT_COLUMNS).where('notification_id', '=', notificationId).executeTakeFirst();
  return row ? countsOf(row) : emptyCounts();
}

export interface NotificationFilters {
  status?: string | undefined;
  priority?: string | undefined;
  channel?: string | undefined;
  category?: string | undefined;
  template?: string | undefined;
  /** Named in the notification's `userIds`, or reached by it (a ledger row: bulk sends too). */
  userId?: string | undefined;
  /** The notification's audience names this group. */
  group?: string | undefined;
  /** The notification's audience names this module. */
  module?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  q?: string | undefined;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Newest first; `before` is the last id of the previous page. */
export async function listNotifications(
  db: DbOrTx,
  tenantId: string,
  f: NotificationFilters,
  page: { limit: number; before?: string | undefined },
): Promise<NotificationRow[]> {
  let q = db
    .selectFrom('notifications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.before) q = q.where('id', '<', page.before);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.priority) q = q.where('priority', '=', f.priority);
  if (f.category) q = q.where('category', '=', f.category);
  if (f.template) q = q.where('template_key', '=', f.template);
  if (f.channel) q = q.where(sql<boolean>`${f.channel} = any(channels)`);
  if (f.userId) {
    const userId = f.userId;
    q = q.where((eb) =>
      eb.or([
        eb(sql<boolean>`audience -> 'userIds' @> ${JSON.stringify([userId])}::jsonb`, '=', true),
        eb('id', 'in', eb.selectFrom('deliveries').select('deliveries.notification_id').where('deliveries.tenant_id', '=', tenantId).where('deliveries.user_id', '=', userId)),
      ]),
    );
  }
  if (f.group) q = q.where(sql<boolean>`audience -> 'groups' @> ${JSON.stringify([f.group])}::jsonb`);
  if (f.module) q = q.where(sql<boolean>`audience -> 'modules' @> ${JSON.stringify([f.module])}::jsonb`);
  if (f.from) q = q.where('created_at', '>=', f.from);
  if (f.to) q = q.where('created_at', '<', f.to);
  if (f.q) {
    const pattern = likePattern(f.q);
    q = q.where((eb) =>
      eb.or([eb('id', 'ilike', pattern), eb('template_key', 'ilike', pattern), eb('idempotency_key', 'ilike', pattern), eb(sql`data::text`, 'ilike', pattern)]),
    );
  }
  return q.execute();
}

/** Hides a notification from lists; only one that has finished. */
export async function softDeleteNotification(db: DbOrTx, tenantId: string, id: string, finalStatuses: readonly string[]): Promise<'deleted' | 'not_found' | 'not_finished'> {
  const r = await db
    .updateTable('notifications')
    .set({ deleted_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where('status', 'in', finalStatuses)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return 'deleted';
  return (await findNotification(db, tenantId, id)) ? 'not_finished' : 'not_found';
}

/** Delivery counts of many notifications in one query (for lists). */
export async function countDeliveriesMany(db: DbOrTx, notificationIds: readonly string[]): Promise<Map<string, DeliveryCounts>> {
  const out = new Map<string, DeliveryCounts>(notificationIds.map((id) => [id, emptyCounts()]));
  if (notificationIds.length === 0) return out;
  const rows = await db
    .selectFrom('notification_delivery_counts')
    .select(['notification_id', ...COUNT_COLUMNS])
    .where('notification_id', 'in', [...notificationIds])
    .execute();
  for (const row of rows) out.set(row.notification_id, countsOf(row));
  return out;
}

/** The users and channels of a notification's failed deliveries (what a resend of only the failures targets). */
export async function failedTargets(db: DbOrTx, notificationId: string): Promise<{ user_id: string; channel: string }[]> {
  return db.selectFrom('deliveries').select(['user_id', 'channel']).where('notification_id', '=', notificationId).where('status', '=', 'failed').execute();
}

/** Changes the timing or data of a notification that has not started sending; false when it has meanwhile. */
export async function updateBeforeSending(
  db: DbOrTx,
  tenantId: string,
  id: string,
  change: { sendAt: Date | null; expiresAt: Date | null; data?: Record<string, unknown> | undefined },
  notStarted: readonly string[],
): Promise<boolean> {
  const r = await db
    .updateTable('notifications')
    .set({ send_at: change.sendAt, expires_at: change.expiresAt, ...(change.data ? { data: JSON.stringify(change.data) } : {}), updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', 'in', notStarted)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Notifications created before `createdBefore` that have not started and have no run recorded:
 * the API stopped between inserting one and starting its run. Rows whose run a parent workflow
 * starts (a schedule's firing, a digest's flush; their idempotency keys say so) are that
 * workflow's to start, and Temporal keeps it going.
 */
export async function findRunlessNotifications(db: DbOrTx, createdBefore: Date, limit: number): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('workflow_run_id', 'is', null)
    .where('status', 'in', ['scheduled', 'pending_approval'])
    .where('created_at', '<', createdBefore)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('idempotency_key', 'is', null), eb.and([eb('idempotency_key', 'not like', 'schedule:%'), eb('idempotency_key', 'not like', 'digest:%')])]))
    .orderBy('created_at')
    .limit(limit)
    .execute();
}
