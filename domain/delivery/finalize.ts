// The end of a run: the notification's status follows from its ledger alone.
import { inTransaction } from '../../schema/database.js';
import { expireDeliveries } from '../../schema/queries/deliveries.js';
import { countDeliveries, findNotification, setNotificationStatus as writeNotificationStatus } from '../../schema/queries/notifications.js';
import { FINAL_NOTIFICATION_STATUSES, type DeliveryCounts, type NotificationStatus } from '../../schema/tables/statuses.js';
import { decidedEvent, emitNotificationEvents } from '../events/notification-events.js';
import { isApprovalTimeout } from '../runs/definitions.js';
import type { DeliveryDeps } from './deps.js';

export interface FinalizeInput {
  tenantId: string;
  notificationId: string;
}

/** The run that ends the notification (recorded on the row if the API never recorded it). */
export interface EndingRun {
  runId?: string | undefined;
}

export interface FinalizeResult {
  status: NotificationStatus;
  counts: DeliveryCounts;
}

export interface SetStatusInput {
  tenantId: string;
  notificationId: string;
  status: NotificationStatus;
  reason?: string;
}

type FinalizeDeps = Pick<DeliveryDeps, 'db' | 'tracker' | 'logger'>;

/** The notification's outcome follows from its ledger alone. */
export function outcomeOf(counts: DeliveryCounts): { status: NotificationStatus; reason: string | null } {
  const delivered = counts.sent + counts.delivered;
  // A bounce that came back before the end (a long campaign) is a failure to deliver as well.
  const failed = counts.failed + counts.bounced;
  if (delivered === 0 && failed === 0 && counts.expired > 0) return { status: 'expired', reason: 'expired before it could be sent' };
  if (failed === 0) {
    return { status: 'completed', reason: delivered === 0 && counts.total > 0 ? 'every delivery was suppressed or expired' : null };
  }
  return delivered > 0 ? { status: 'partially_failed', reason: null } : { status: 'failed', reason: 'no delivery succeeded' };
}

export async function finalizeNotification(deps: FinalizeDeps, { tenantId, notificationId }: FinalizeInput, run: EndingRun = {}): Promise<FinalizeResult> {
  const counts = await countDeliveries(deps.db, notificationId);
  const { status, reason } = outcomeOf(counts);
  await writeNotificationStatus(deps.db, notificationId, status, { reason, completedAt: new Date(), runId: run.runId });
  await deps.tracker.notificationFinished(tenantId, notificationId, status, reason, counts);
  deps.logger.info({ tenantId, notificationId, status, counts }, 'notification finished');
  return { status, counts };
}

export async function expireNotification(deps: FinalizeDeps, { notificationId }: FinalizeInput): Promise<void> {
  await deps.tracker.rowsChanged(notificationId, ['expired'], (tx) => expireDeliveries(tx, notificationId, 'expired before it could be sent'));
}

/** A status the workflow decided (rejected, cancelled, …); a final one finishes the notification. */
export async function setNotificationStatus(deps: FinalizeDeps, { tenantId, notificationId, status, reason }: SetStatusInput, run: EndingRun = {}): Promise<void> {
  const n = await findNotification(deps.db, tenantId, notificationId);
  if (!n) return;
  const final = FINAL_NOTIFICATION_STATUSES.includes(status);
  // Nobody decided in time: the timeout is the decision, recorded with the status it sets.
  const timedOut = status === 'rejected' && n.status === 'pending_approval' && !n.decided_at && isApprovalTimeout(reason);
  await inTransaction(deps.db, async (tx) => {
    await writeNotificationStatus(tx, notificationId, status, { reason: reason ?? null, ...(final ? { completedAt: new Date(), runId: run.runId } : {}) });
    if (timedOut) await emitNotificationEvents(tx, tenantId, [decidedEvent(n, { approved: false, by: null, comment: null, reason: reason ?? null })]);
  });
  if (final) await deps.tracker.notificationFinished(tenantId, notificationId, status, reason ?? null, {});
}
