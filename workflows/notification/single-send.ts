// A single send: one activity per delivery, each with its own retries, for the lowest latency.
// Due now, its bookkeeping runs as local activities inside the workflow task; with a send time
// it validates, waits on a durable timer, then sends like any other run.
import { log } from '@temporalio/workflow';
import type { NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { escalate } from './escalation.js';
import { failureReason, finish, finishCancelled, finishRejected, setStatusAttribute } from './outcome.js';
import { isExpired, waitOrCancel } from './pause-and-cancel.js';
import type { Run } from './run.js';
import { startSending } from './start-sending.js';
import { validate } from './validation.js';
import { waitForSendTime } from './waiting.js';

interface SinglePlan {
  deliveryIds: string[];
  /** Deliveries that quiet hours defer, and until when. */
  notBefore?: Record<string, string>;
}

/** One delivery activity per row; rows quiet hours defer wait on a durable timer, never past the expiry. */
async function deliverSingles(run: Run, plan: SinglePlan): Promise<void> {
  const notBefore = plan.notBefore ?? {};
  const { tenantId } = run.input;
  await Promise.all(
    plan.deliveryIds.map(async (deliveryId) => {
      const until = notBefore[deliveryId];
      if (until !== undefined && (await waitOrCancel(run, Math.min(Date.parse(until), run.state.expiresAt) - Date.now()))) return;
      if (run.state.cancelled) return;
      try {
        await run.acts.delivery.deliver({ tenantId, deliveryId });
      } catch (err) {
        // The activity records permanent failures itself; this also covers retries running
        // out and timeouts, which only the workflow sees.
        log.warn('delivery failed', { deliveryId, reason: failureReason(err) });
        await run.acts.bookkeeping.failDelivery({ deliveryId, reason: failureReason(err) });
      }
    }),
  );
}

async function sendNow(run: Run): Promise<NotificationWorkflowResult> {
  const { local } = run.acts;
  const ref = { tenantId: run.input.tenantId, notificationId: run.input.notificationId };
  if (run.state.cancelled) return finishCancelled(run);
  run.progress.phase = 'sending';
  const plan = await local.beginSingleSend(ref);
  if (!plan.ok) return finishRejected(run, plan.reason);
  setStatusAttribute('sending');
  if (run.state.cancelled) return finishCancelled(run);
  if (isExpired(run)) {
    await local.expireNotification(ref);
  } else {
    await deliverSingles(run, plan);
    if (run.state.cancelled) return finishCancelled(run);
    const stopped = await escalate(run);
    if (stopped) return stopped;
  }
  return finish(run, local);
}

async function sendLater(run: Run): Promise<NotificationWorkflowResult> {
  const valid = await validate(run);
  if ('stopped' in valid) return valid.stopped;
  const stopped = (await waitForSendTime(run)) ?? (await startSending(run));
  if (stopped) return stopped;
  const plan = await run.acts.bookkeeping.prepareNotification({ tenantId: run.input.tenantId, notificationId: run.input.notificationId });
  if (!plan.ok) return finishRejected(run, plan.reason);
  await deliverSingles(run, plan);
  if (run.state.cancelled) return finishCancelled(run);
  return (await escalate(run)) ?? finish(run);
}

export async function singleSend(run: Run): Promise<NotificationWorkflowResult> {
  return run.state.sendAt <= Date.now() ? sendNow(run) : sendLater(run);
}
