// Bulk sends after the first pass: rounds over what is still pending — transient failures with
// backoff (honouring a provider's Retry-After), rows quiet hours deferred on a timer — until
// nothing is pending, the run expires, or the rounds run out.
import type { NotificationWorkflowResult } from '../../domain/runs/definitions.js';
import { finishCancelled } from './outcome.js';
import { holdWhilePaused, isExpired, waitOrCancel } from './pause-and-cancel.js';
import type { Run } from './run.js';
import { holdForSendWindow } from './waiting.js';

interface Round {
  due: number;
  transient: number;
  retryAfterMs: number;
}

/** Sends every pending row that is due now, a batch at a time; 'cancelled' if cancelled meanwhile. */
async function deliverDueRows(run: Run): Promise<Round | 'cancelled'> {
  const { tenantId, notificationId } = run.input;
  const { batchSize, concurrency } = run.bulk;
  const round: Round = { due: 0, transient: 0, retryAfterMs: 0 };
  for (let after: string | null = null; ; ) {
    if (await holdForSendWindow(run, 'paused')) return 'cancelled';
    const ids: string[] = await run.acts.batch.pendingDue({ notificationId, after, limit: batchSize });
    if (ids.length === 0) return round;
    round.due += ids.length;
    const r = await run.acts.batch.deliverBatch({ tenantId, deliveryIds: ids, concurrency });
    round.transient += r.retry;
    round.retryAfterMs = Math.max(round.retryAfterMs, r.retryAfterMs ?? 0);
    after = ids.at(-1) ?? null;
    if (await holdWhilePaused(run)) return 'cancelled';
  }
}

/** Undefined when nothing is left to try; the cancelled outcome if cancelled meanwhile. */
export async function retryRounds(run: Run): Promise<NotificationWorkflowResult | undefined> {
  const { tenantId, notificationId, timings } = run.input;
  run.progress.phase = 'retrying';
  for (let rounds = 0; ; ) {
    if (await holdWhilePaused(run)) return finishCancelled(run);
    if (isExpired(run)) {
      await run.acts.bookkeeping.expireNotification({ tenantId, notificationId });
      return undefined;
    }
    const pending = await run.acts.batch.pendingSummary({ notificationId });
    if (pending.pending === 0) return undefined;
    const round = await deliverDueRows(run);
    if (round === 'cancelled') return finishCancelled(run);
    if (round.due === 0) {
      // Only deferred rows are left: sleep until the first is due.
      if (await waitOrCancel(run, Math.min(pending.nextDueMs ?? 60_000, run.state.expiresAt - Date.now()))) return finishCancelled(run);
      continue;
    }
    if (round.transient === 0) continue;
    rounds += 1;
    if (rounds >= timings.retryMaxAttempts) {
      await run.acts.batch.failUnsent({ notificationId, reason: `gave up after ${rounds} delivery rounds` });
      return undefined;
    }
    const backoff = Math.min(timings.retryInitialMs * 2 ** (rounds - 1), timings.retryMaxIntervalMs);
    if (await waitOrCancel(run, Math.max(backoff, round.retryAfterMs))) return finishCancelled(run);
  }
}
