// The life of one notification. Orchestration only: every side effect is an activity,
// every wait is a Temporal timer, so a run survives any process restart.
import { ActivityFailure, log, patched, proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import type { Timings } from '../common/config.js';
import { SA_STATUS } from '../common/search-attributes.js';
import type { DeliveryCounts, NotificationStatus } from '../common/statuses.js';

export interface NotificationWorkflowInput {
  tenantId: string;
  notificationId: string;
  /** ISO time to send at; null = now. */
  sendAt: string | null;
  /** ISO time after which nothing is delivered; null = never. */
  expiresAt: string | null;
  /** Retry and timeout settings, fixed at start so replays see the same values. */
  timings: Timings;
}

export interface NotificationWorkflowResult {
  status: NotificationStatus;
  counts: DeliveryCounts | null;
  reason?: string;
}

function activitiesFor(t: Timings) {
  const bookkeeping = proxyActivities<HeraldActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: t.retryInitialMs, backoffCoefficient: 2, maximumInterval: t.retryMaxIntervalMs },
  });
  const delivery = proxyActivities<HeraldActivities>({
    startToCloseTimeout: t.deliveryTimeoutMs,
    retry: {
      initialInterval: t.retryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: t.retryMaxIntervalMs,
      maximumAttempts: t.retryMaxAttempts,
    },
  });
  return { bookkeeping, delivery };
}

function setStatusAttribute(status: NotificationStatus): void {
  upsertSearchAttributes([{ key: SA_STATUS, value: status }]);
}

function failureReason(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

export async function notificationWorkflow(input: NotificationWorkflowInput): Promise<NotificationWorkflowResult> {
  const { tenantId, notificationId } = input;
  const { bookkeeping, delivery } = activitiesFor(input.timings);
  const expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : Infinity;

  // Deliveries that quiet hours defer, and until when; filled once the plan exists.
  let notBefore: Record<string, string> = {};

  async function deliverOne(deliveryId: string): Promise<void> {
    const until = notBefore[deliveryId];
    if (until !== undefined) {
      // Durable, so a deferral of hours survives restarts; never past the expiry, where the
      // delivery attempt records the row as expired instead of sending late.
      const wait = Math.min(Date.parse(until), expiresAt) - Date.now();
      if (wait > 0) await sleep(wait);
    }
    try {
      await delivery.deliver({ tenantId, deliveryId });
    } catch (err) {
      // The activity records permanent failures itself; this also covers retries running
      // out and timeouts, which only the workflow sees.
      log.warn('delivery failed', { deliveryId, reason: failureReason(err) });
      await bookkeeping.failDelivery({ deliveryId, reason: failureReason(err) });
    }
  }

  if (input.sendAt) {
    const wait = Date.parse(input.sendAt) - Date.now();
    if (wait > 0) await sleep(wait); // a durable timer: survives restarts of everything
  }

  const plan = await bookkeeping.prepareNotification({ tenantId, notificationId });
  if (!plan.ok) {
    await bookkeeping.setNotificationStatus({ tenantId, notificationId, status: 'rejected', reason: plan.reason });
    setStatusAttribute('rejected');
    return { status: 'rejected', counts: null, reason: plan.reason };
  }
  setStatusAttribute('sending');
  // Histories recorded before quiet hours existed have no deferral timers; the patch keeps them replaying.
  if (patched('quiet-hours-deferral')) notBefore = plan.notBefore ?? {};

  if (Date.now() >= expiresAt) {
    await bookkeeping.expireNotification({ tenantId, notificationId });
  } else {
    await Promise.all(plan.deliveryIds.map(deliverOne));
  }

  const outcome = await bookkeeping.finalizeNotification({ tenantId, notificationId });
  setStatusAttribute(outcome.status);
  return { status: outcome.status, counts: outcome.counts };
}
