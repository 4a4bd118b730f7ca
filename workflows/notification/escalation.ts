// Phase 9: recipients the first wave did not reach (delivered or read, as the plan says) get
// the fallback channels once the plan's window has passed.
import type { NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { finishCancelled } from './outcome.js';
import { waitOrCancel } from './pause-and-cancel.js';
import type { Run } from './run.js';

/** Undefined when done (or nothing to escalate); the cancelled outcome if cancelled while waiting. */
export async function escalate(run: Run): Promise<NotificationWorkflowResult | undefined> {
  const { escalation, tenantId, notificationId } = run.input;
  if (!escalation || run.state.cancelled) return undefined;
  run.progress.phase = 'escalating';
  if (await waitOrCancel(run, escalation.afterSeconds * 1000)) return finishCancelled(run);
  const ids = await run.acts.batch.escalate({ tenantId, notificationId, channels: escalation.channels, until: escalation.until });
  const { batchSize, concurrency } = run.bulk;
  for (let i = 0; i < ids.length; i += batchSize) {
    await run.acts.batch.deliverBatch({ tenantId, deliveryIds: ids.slice(i, i + batchSize), concurrency });
  }
  return undefined;
}
