// How a run records its status and how it ends: finished, rejected or cancelled.
import { ActivityFailure, upsertSearchAttributes } from '@temporalio/workflow';
import { SA_STATUS, type NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import type { NotificationStatus } from '../../schema/tables/statuses.js';
import type { Run, RunActivities } from './run.js';

export function setStatusAttribute(status: NotificationStatus): void {
  upsertSearchAttributes([{ key: SA_STATUS, value: status }]);
}

/** The row's status and the run's search attribute, which the Web UI filters by. */
export async function setStatus(run: Run, status: NotificationStatus, reason?: string): Promise<void> {
  const { tenantId, notificationId } = run.input;
  await run.acts.bookkeeping.setNotificationStatus({ tenantId, notificationId, status, ...(reason ? { reason } : {}) });
  setStatusAttribute(status);
}

export function failureReason(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** The deliveries decide the outcome; `finalizer` is the local proxy for single sends due now. */
export async function finish(run: Run, finalizer: RunActivities['bookkeeping' | 'local'] = run.acts.bookkeeping): Promise<NotificationWorkflowResult> {
  const outcome = await finalizer.finalizeNotification({ tenantId: run.input.tenantId, notificationId: run.input.notificationId });
  setStatusAttribute(outcome.status);
  run.progress.phase = 'done';
  return { status: outcome.status, counts: outcome.counts };
}

export async function finishRejected(run: Run, reason: string): Promise<NotificationWorkflowResult> {
  await setStatus(run, 'rejected', reason);
  run.progress.phase = 'done';
  return { status: 'rejected', counts: null, reason };
}

export async function finishCancelled(run: Run): Promise<NotificationWorkflowResult> {
  const c = run.state.cancelled;
  const reason = `cancelled by ${c?.by ?? 'unknown'}${c?.reason ? `: ${c.reason}` : ''}`;
  await run.acts.batch.cancelUnsent({ notificationId: run.input.notificationId, reason });
  await setStatus(run, 'cancelled', reason);
  run.progress.phase = 'done';
  return { status: 'cancelled', counts: null, reason };
}
