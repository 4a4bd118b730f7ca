import type { DbOrTx } from '../../schema/database.js';
import { findNotification } from '../../schema/queries/notifications.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import { conflict, notFound } from '../errors.js';

/** The tenant's notification; not_found when there is none (or it is another tenant's). */
export async function loadNotification(db: DbOrTx, tenantId: string, id: string): Promise<NotificationRow> {
  const n = await findNotification(db, tenantId, id);
  if (!n) throw notFound('notification');
  return n;
}

/** A conflict naming the current status when the notification is not in one of `allowed`. */
export function requireStatus(n: NotificationRow, allowed: readonly string[], code: string, message: string): void {
  if (!allowed.includes(n.status)) throw conflict(code, `${message} (status is ${n.status})`);
}
