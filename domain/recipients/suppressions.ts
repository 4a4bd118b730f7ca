import type { DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { deleteEmailSuppression } from '../../schema/queries/bounces.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';

/** Mails a hard-bounced address again (a mailbox that exists again); audited. */
export async function unsuppressEmail(db: DbOrTx, actor: Actor, address: string): Promise<void> {
  if (!(await deleteEmailSuppression(db, actor.tenantId, address))) throw notFound('suppression');
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'suppression.delete', targetType: 'email', targetId: address.toLowerCase() });
}
