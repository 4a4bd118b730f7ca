// Reads of the ledger that planning a notification needs (prepare): which addresses a
// notification already targets, and which rows wait for the end of quiet hours.
import type { DbOrTx } from '../database.js';

/** Addresses this notification already sends to on a channel, by another user (cross-page duplicates). */
export async function addressesTaken(db: DbOrTx, notificationId: string, channel: string, byOthersThan: readonly string[], addresses: readonly string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  let q = db
    .selectFrom('deliveries')
    .select('address')
    .where('notification_id', '=', notificationId)
    .where('channel', '=', channel)
    .where('address', 'in', [...addresses])
    .where('status', '!=', 'suppressed');
  if (byOthersThan.length > 0) q = q.where('user_id', 'not in', [...byOthersThan]);
  const rows = await q.execute();
  return new Set(rows.map((r) => r.address ?? ''));
}

/** Unsent rows of a notification and the time each must wait for (null = now). */
export async function unsentWithDeferral(db: DbOrTx, notificationId: string): Promise<{ id: string; deferredUntil: Date | null }[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['id', 'deferred_until'])
    .where('notification_id', '=', notificationId)
    .where('status', 'in', ['pending', 'sending'])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, deferredUntil: r.deferred_until }));
}
