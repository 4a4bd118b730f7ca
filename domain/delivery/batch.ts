// A campaign's deliveries, a batch at a time inside one step: far less orchestration per
// message than one step each. Each delivery is guarded by the ledger on its own, so a
// retried batch skips rows the ledger already shows sent.
import { classifyFailure } from '../failures.js';
import type { Heartbeat } from '../heartbeat.js';
import type { Deliverer } from './deliver.js';

export interface BatchInput {
  tenantId: string;
  deliveryIds: string[];
  concurrency: number;
}

export interface BatchResult {
  sent: number;
  failed: number;
  /** Still pending after a transient failure: a later round tries them again. */
  retry: number;
  /** The longest Retry-After a provider asked for, if any. */
  retryAfterMs: number | null;
}

export interface BatchProgress {
  /** After every delivery, with how many of the batch are done. */
  onDone(done: number): void;
  /** While one delivery waits out a database outage. */
  heartbeat: Heartbeat;
  /** Waits for the process to admit one more delivery (admission.ts); resolves to its release. */
  admit?: () => Promise<() => void>;
}

export async function deliverBatch(deliver: Deliverer['deliver'], { tenantId, deliveryIds, concurrency }: BatchInput, progress: BatchProgress): Promise<BatchResult> {
  const result: BatchResult = { sent: 0, failed: 0, retry: 0, retryAfterMs: null };
  let next = 0;
  let done = 0;
  async function lane(): Promise<void> {
    while (next < deliveryIds.length) {
      const id = deliveryIds[next++];
      if (id === undefined) return;
      const release = await progress.admit?.();
      try {
        const r = await deliver({ tenantId, deliveryId: id }, progress.heartbeat);
        if (r.status === 'sent' || r.status === 'delivered') result.sent += 1;
      } catch (err) {
        countFailure(result, err);
      } finally {
        release?.();
      }
      done += 1;
      progress.onDone(done);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, deliveryIds.length)) }, lane));
  return result;
}

/** A permanent failure is final for its row; a transient one leaves it pending for a later round. */
function countFailure(result: BatchResult, err: unknown): void {
  const failure = classifyFailure(err);
  if (failure.permanent) {
    result.failed += 1;
    return;
  }
  result.retry += 1;
  if (failure.retryAfterMs !== undefined) result.retryAfterMs = Math.max(result.retryAfterMs ?? 0, failure.retryAfterMs);
}
