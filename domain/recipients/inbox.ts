// A user's in-app inbox: marking read and deleting, for the API and the embeddable widget alike.
import type { DbOrTx } from '../../schema/database.js';
import { deleteInboxMessages, findInboxMessage, markInboxRead } from '../../schema/queries/inbox.js';
import { notFound } from '../errors.js';

/** Reading a read message again is fine; only a missing one is an error. */
export async function markMessageRead(db: DbOrTx, tenantId: string, userId: string, messageId: string): Promise<void> {
  const changed = await markInboxRead(db, tenantId, userId, messageId);
  if (!changed && !(await findInboxMessage(db, tenantId, userId, messageId))) throw notFound('inbox message');
}

export async function deleteMessage(db: DbOrTx, tenantId: string, userId: string, messageId: string): Promise<void> {
  const removed = await deleteInboxMessages(db, tenantId, { userId, id: messageId });
  if (removed.length === 0) throw notFound('inbox message');
}
