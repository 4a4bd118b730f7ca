// Phase 1: the rules only checkable when the run starts (the API checked the rest).
import type { NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { finishRejected } from './outcome.js';
import type { Run } from './run.js';

/** Rejects the notification when a rule fails; otherwise how long an approval may take. */
export async function validate(run: Run): Promise<{ stopped: NotificationWorkflowResult } | { approvalTimeoutMs: number }> {
  const valid = await run.acts.batch.validateNotification({ tenantId: run.input.tenantId, notificationId: run.input.notificationId });
  if (!valid.ok) return { stopped: await finishRejected(run, valid.reason) };
  return { approvalTimeoutMs: valid.approvalTimeoutMs };
}
