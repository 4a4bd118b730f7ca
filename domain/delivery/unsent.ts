// A notification's rows not sent yet: the due ones for a retry round, how many are left and
// when the next deferred one falls due, and ending what is left (out of rounds, or cancelled).
import { failDueUnsent, pendingDueIds, pendingSummary as summarizePending, suppressUnsent } from '../../schema/queries/orchestration.js';
import type { DeliveryDeps } from './deps.js';

type UnsentDeps = Pick<DeliveryDeps, 'db' | 'tracker'>;

/** A page of rows still pending and due now, for a retry round. */
export async function pendingDue(deps: Pick<DeliveryDeps, 'db'>, { notificationId, after, limit }: { notificationId: string; after: string | null; limit: number }): Promise<string[]> {
  return pendingDueIds(deps.db, notificationId, { after: after ?? undefined, limit, now: new Date() });
}

export async function pendingSummary(deps: Pick<DeliveryDeps, 'db'>, notificationId: string): Promise<{ pending: number; nextDueMs: number | null }> {
  const s = await summarizePending(deps.db, notificationId);
  return { pending: s.pending, nextDueMs: s.nextDue ? Math.max(0, s.nextDue.getTime() - Date.now()) : null };
}

/** Marks due rows that ran out of retry rounds failed, keeping their last reason. */
export async function failUnsent(deps: UnsentDeps, { notificationId, reason }: { notificationId: string; reason: string }): Promise<number> {
  return deps.tracker.rowsChanged(notificationId, ['failed'], (tx) => failDueUnsent(tx, notificationId, reason, new Date()));
}

/** Cancel: whatever has not gone out is suppressed with the reason. */
export async function cancelUnsent(deps: UnsentDeps, { notificationId, reason }: { notificationId: string; reason: string }): Promise<number> {
  return deps.tracker.rowsChanged(notificationId, ['suppressed'], (tx) => suppressUnsent(tx, notificationId, reason));
}
