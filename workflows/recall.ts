// Recalling what a notification sent through providers that can take messages back. The API
// starts it on the high-priority queue and waits a moment for the answer; if a provider is
// slow or failing for the moment the run carries on with its retries after the API answered.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities/index.js';
import type { RecallFailure } from '../domain/delivery/recall.js';
import type { RecallWorkflowInput, RecallWorkflowResult } from '../domain/runs/definitions.js';

const MAX_REPORTED_FAILURES = 100;
/** Deliveries retried at once after a transient failure. */
const RETRY_CONCURRENCY = 20;

function failureReason(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

export async function recallWorkflow(input: RecallWorkflowInput): Promise<RecallWorkflowResult> {
  const t = input.timings;
  // A page makes up to a page's worth of provider calls; the heartbeat notices a lost worker early.
  const pages = proxyActivities<HeraldActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: t.retryInitialMs, backoffCoefficient: 2, maximumInterval: t.retryMaxIntervalMs },
  });
  const single = proxyActivities<HeraldActivities>({
    startToCloseTimeout: t.deliveryTimeoutMs,
    retry: { initialInterval: t.retryInitialMs, backoffCoefficient: 2, maximumInterval: t.retryMaxIntervalMs, maximumAttempts: t.retryMaxAttempts },
  });

  let recalled = 0;
  const failures: RecallFailure[] = [];
  const retry: RecallFailure[] = [];
  for (let after: string | null = null; ; ) {
    const page: Awaited<ReturnType<HeraldActivities['recallSentPage']>> = await pages.recallSentPage({ tenantId: input.tenantId, notificationId: input.notificationId, after });
    recalled += page.recalled;
    failures.push(...page.failures);
    retry.push(...page.retry);
    if (page.next === null) break;
    after = page.next;
  }
  for (let i = 0; i < retry.length; i += RETRY_CONCURRENCY) {
    await Promise.all(
      retry.slice(i, i + RETRY_CONCURRENCY).map(async (first) => {
        try {
          const r = await single.recallDelivery({ tenantId: input.tenantId, deliveryId: first.deliveryId });
          if (r.outcome === 'recalled') recalled += 1;
          else if (r.outcome === 'failed') failures.push(r.failure);
        } catch (err) {
          // Retries ran out: the provider's last word is the reason.
          failures.push({ ...first, reason: failureReason(err) });
        }
      }),
    );
  }
  return { recalled, failed: failures.length, failures: failures.slice(0, MAX_REPORTED_FAILURES) };
}
