// The turn from waiting to sending: a last look for a cancel, then the status, then the expiry.
import type { NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { finish, finishCancelled, setStatus } from './outcome.js';
import { isExpired } from './pause-and-cancel.js';
import type { Run } from './run.js';

/** Undefined when the run goes on to deliver; otherwise how it ended (cancelled, or expired unsent). */
export async function startSending(run: Run): Promise<NotificationWorkflowResult | undefined> {
  if (run.state.cancelled) return finishCancelled(run);
  run.progress.phase = 'sending';
  await setStatus(run, 'sending');
  if (!isExpired(run)) return undefined;
  await run.acts.bookkeeping.expireNotification({ tenantId: run.input.tenantId, notificationId: run.input.notificationId });
  return finish(run);
}
