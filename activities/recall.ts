// Recall as activities: a page of sent deliveries taken back (heartbeating per delivery), and
// one delivery again while its provider fails for the moment (retried with Temporal's backoff,
// honouring Retry-After). The rules are in domain/delivery/recall.ts.
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { activityHeartbeat } from './heartbeat.js';
import { createRecaller, type RecallDeliveryInput, type RecallDeliveryResult, type RecallPageInput, type RecallPageResult } from '../domain/delivery/recall.js';

export function createRecallActivities(deps: ActivityDeps) {
  const recaller = createRecaller(deps);
  return {
    recallSentPage: classified((input: RecallPageInput): Promise<RecallPageResult> => recaller.recallSentPage(input, activityHeartbeat)),
    recallDelivery: classified((input: RecallDeliveryInput): Promise<RecallDeliveryResult> => recaller.recallDelivery(input)),
  };
}
