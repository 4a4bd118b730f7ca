// Maker-checker for bulk sends: a key other than the creator's approves or rejects, once.
// The decision is written here; the waiting run hears of it by a signal the caller sends.
import type { DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { recordDecision } from '../../schema/queries/orchestration.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import type { Actor } from '../actor.js';
import { conflict, forbidden } from '../errors.js';
import { loadNotification, requireStatus } from './lookup.js';

export interface Decision {
  approved: boolean;
  comment?: string | undefined;
}

/** Records the decision on a bulk send waiting for approval, with its audit entry. */
export async function decideApproval(db: DbOrTx, actor: Actor, id: string, d: Decision): Promise<NotificationRow> {
  const n = await loadNotification(db, actor.tenantId, id);
  if (n.created_by === actor.keyId) throw forbidden('creator_cannot_approve', 'the key that created a bulk send cannot approve or reject it');
  requireStatus(n, ['pending_approval'], 'not_pending_approval', 'only a bulk send waiting for approval can be decided');
  const decided = await recordDecision(db, actor.tenantId, n.id, { approved: d.approved, by: actor.keyId, comment: d.comment ?? null });
  if (!decided) throw conflict('already_decided', 'someone else decided this notification first');
  await appendAudit(db, {
    tenantId: actor.tenantId,
    actor: actor.keyId,
    action: `notification.${d.approved ? 'approve' : 'reject'}`,
    targetType: 'notification',
    targetId: n.id,
    details: { comment: d.comment ?? null },
  });
  return decided;
}
