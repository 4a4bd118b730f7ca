// Stage 7 as activities: one delivery, a campaign's batch, and giving a delivery up when the
// workflow's retries ran out. The rules and the ledger are in domain/delivery/.
import { Context } from '@temporalio/activity';
import { deliverBatch, type BatchInput, type BatchResult } from '../domain/delivery/batch.js';
import type { DeliverInput, DeliverResult, Deliverer, FailDeliveryInput } from '../domain/delivery/deliver.js';
import type { QueueAdmission } from './admission.js';
import { activityHeartbeat } from './heartbeat.js';
import { classified } from './failures.js';

/** Heartbeats every this many deliveries, and on a timer besides. */
const BEAT_EVERY = 20;
const BEAT_INTERVAL_MS = 3_000;

export function createDeliveryActivities(deliverer: Deliverer, admission?: QueueAdmission) {
  return {
    deliver: classified((input: DeliverInput): Promise<DeliverResult> => deliverer.deliver(input, activityHeartbeat)),

    /** Called by the workflow when retries are exhausted or the activity timed out for good. */
    failDelivery: classified((input: FailDeliveryInput): Promise<void> => deliverer.failDelivery(input)),

    /** Each delivery's failure is counted in the result, never thrown: the batch itself fails only if the worker does. */
    deliverBatch: classified(async (input: BatchInput): Promise<BatchResult> => {
      const ctx = Context.current();
      let done = 0;
      const beat = () => ctx.heartbeat(done);
      // On a timer too: a provider taking its time is not a dead worker.
      const timer = setInterval(beat, BEAT_INTERVAL_MS);
      try {
        const onDone = (n: number) => {
          done = n;
          if (n % BEAT_EVERY === 0) beat();
        };
        const { taskQueue } = ctx.info;
        return await deliverBatch(deliverer.deliver, input, { onDone, heartbeat: beat, ...(admission ? { admit: () => admission.lane(taskQueue) } : {}) });
      } finally {
        clearInterval(timer);
      }
    }),
  };
}
