// Retry rounds and cancellation as activities: the rows still unsent, and ending them.
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { cancelUnsent, failUnsent, pendingDue, pendingSummary } from '../domain/delivery/unsent.js';

export function createRoundActivities(deps: ActivityDeps) {
  return {
    /** A page of rows still pending and due now, for a retry round. */
    pendingDue: classified((input: { notificationId: string; after: string | null; limit: number }): Promise<string[]> => pendingDue(deps, input)),

    pendingSummary: classified(({ notificationId }: { notificationId: string }): Promise<{ pending: number; nextDueMs: number | null }> => pendingSummary(deps, notificationId)),

    /** Marks due rows that ran out of retry rounds failed, keeping their last reason. */
    failUnsent: classified((input: { notificationId: string; reason: string }): Promise<number> => failUnsent(deps, input)),

    /** Cancel: whatever has not gone out is suppressed with the reason. */
    cancelUnsent: classified((input: { notificationId: string; reason: string }): Promise<number> => cancelUnsent(deps, input)),
  };
}
