// Queries the orchestration of a notification needs: paging its pending ledger rows,
// recording the approval decision, cancelling what is left, content dedup, escalation.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { NotificationRow } from '../tables/notifications.js';

/** Pending rows that may be attempted now (deferrals due), in id order. */
export async function pendingDueIds(db: DbOrTx, notificationId: string, page: { after?: string | undefined; limit: number; now: Date }): Promise<string[]> {
  let q = db
    .selectFrom('deliveries')
    .select('id')
    .where('notification_id', '=', notificationId)
    .where('status', 'in', ['pending', 'sending'])
    .where((eb) => eb.or([eb('deferred_until', 'is', null), eb('deferred_until', '<=', page.now)]))
    .orderBy('id')
    .limit(page.limit);
  if (page.after) q = q.where('id', '>', page.after);
  return (await q.execute()).map((r) => r.id);
}

/** How many rows are still unsent, and when the earliest deferred one becomes due. */
export async function pendingSummary(db: DbOrTx, notificationId: string): Promise<{ pending: number; nextDue: Date | null }> {
  const r = await db
    .selectFrom('deliveries')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('deferred_until').as('next')])
    .where('notification_id', '=', notificationId)
    .where('status', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow();
  return { pending: Number(r.n), nextDue: (r.next as Date | null) ?? null };
}

/** Ends every unsent row with a reason (cancel); returns how many. */
export async function suppressUnsent(db: DbOrTx, notificationId: string, reason: string): Promise<number> {
  const r = await db
    .updateTable('deliveries')
    .set({ status: 'suppressed', reason, updated_at: new Date() })
    .where('notification_id', '=', notificationId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Records an approve/reject on a notification still waiting for one; undefined otherwise. */
export async function recordDecision(
  db: DbOrTx,
  tenantId: string,
  id: string,
  d: { approved: boolean; by: string; comment: string | null },
): Promise<NotificationRow | undefined> {
  return db
    .updateTable('notifications')
    .set({
      decided_by: d.by,
      decided_at: new Date(),
      decision_comment: d.comment,
      updated_at: new Date(),
      ...(d.approved ? {} : { status: 'rejected', status_reason: `rejected by ${d.by}${d.comment ? `: ${d.comment}` : ''}`, completed_at: new Date() }),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending_approval')
    .where('decided_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Records who decided a notification whose run already acts on the decision (the API stopped
 * after signalling, before recording): only the decider, its time and comment; the status is the run's.
 */
export async function recordDecisionAfterTheFact(
  db: DbOrTx,
  tenantId: string,
  id: string,
  d: { by: string; comment: string | null },
): Promise<NotificationRow | undefined> {
  return db
    .updateTable('notifications')
    .set({ decided_by: d.by, decided_at: new Date(), decision_comment: d.comment, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('decided_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Users of this page who got the same content from another notification since `since`. */
export async function recentlySentSameContent(
  db: DbOrTx,
  tenantId: string,
  contentHash: string,
  notificationId: string,
  userIds: readonly string[],
  since: Date,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('deliveries as d')
    .innerJoin('notifications as n', 'n.id', 'd.notification_id')
    .select('d.user_id')
    .distinct()
    .where('n.tenant_id', '=', tenantId)
    .where('n.content_hash', '=', contentHash)
    .where('n.id', '!=', notificationId)
    .where('n.created_at', '>=', since)
    .where('d.user_id', 'in', [...userIds])
    .where('d.status', 'in', ['pending', 'sending', 'sent', 'delivered'])
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/**
 * Users of a notification none of whose deliveries reached `until`: `delivered` (a
 * provider receipt, or an in-app message shown) or `read` (an in-app message read).
 */
export async function usersNotReached(db: DbOrTx, notificationId: string, until: 'delivered' | 'read', page: { after?: string | undefined; limit: number }): Promise<string[]> {
  const reached =
    until === 'read'
      ? sql<boolean>`exists (select 1 from inbox_messages m where m.notification_id = d.notification_id and m.user_id = d.user_id and m.read_at is not null)`
      : sql<boolean>`exists (select 1 from deliveries x where x.notification_id = d.notification_id and x.user_id = d.user_id and (x.status = 'delivered' or (x.channel = 'inapp' and x.status = 'sent')))`;
  let q = db
    .selectFrom('deliveries as d')
    .select('d.user_id')
    .distinct()
    .where('d.notification_id', '=', notificationId)
    .where(sql<boolean>`not ${reached}`)
    .orderBy('d.user_id')
    .limit(page.limit);
  if (page.after) q = q.where('d.user_id', '>', page.after);
  return (await q.execute()).map((r) => r.user_id);
}

/** The rows a page of users has on a notification, with what decides whether they go out now. */
export async function deliveriesOfUsers(db: DbOrTx, notificationId: string, userIds: readonly string[]): Promise<{ id: string; status: string; deferred_until: Date | null }[]> {
  return db
    .selectFrom('deliveries')
    .select(['id', 'status', 'deferred_until'])
    .where('notification_id', '=', notificationId)
    .where('user_id', 'in', userIds.length ? userIds : [''])
    .execute();
}

/** Ids of a notification's pending rows on the given channels. */
export async function pendingOnChannels(db: DbOrTx, notificationId: string, channels: readonly string[]): Promise<string[]> {
  const rows = await db.selectFrom('deliveries').select('id').where('notification_id', '=', notificationId).where('channel', 'in', channels).where('status', '=', 'pending').execute();
  return rows.map((r) => r.id);
}

/** Fails every unsent row that is due (not deferred past `now`), keeping a reason it already has; returns how many. */
export async function failDueUnsent(db: DbOrTx, notificationId: string, reason: string, now: Date): Promise<number> {
  const r = await db
    .updateTable('deliveries')
    .set((eb) => ({ status: 'failed', failed_at: now, updated_at: now, reason: eb.fn.coalesce(eb.ref('reason'), eb.val(reason)) }))
    .where('notification_id', '=', notificationId)
    .where('status', 'in', ['pending', 'sending'])
    .where((eb) => eb.or([eb('deferred_until', 'is', null), eb('deferred_until', '<=', now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
