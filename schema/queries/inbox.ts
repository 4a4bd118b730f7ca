import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { InboxMessageRow, NewInboxMessage } from '../tables/inbox-messages.js';

/** The channel PostgreSQL notifies on when an inbox changes; API processes LISTEN on it. */
export const INBOX_CHANNEL = 'herald_inbox';

export interface InboxEvent {
  tenantId: string;
  userId: string;
  messageId: string;
  kind: 'created' | 'read' | 'deleted';
}

async function notifyInbox(db: DbOrTx, e: InboxEvent): Promise<void> {
  await sql`select pg_notify(${INBOX_CHANNEL}, ${JSON.stringify(e)})`.execute(db);
}

/** Idempotent: a retried delivery finds its message already there. */
export async function insertInboxMessage(db: DbOrTx, m: NewInboxMessage): Promise<void> {
  const inserted = await db.insertInto('inbox_messages').values(m).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
  if (inserted) await notifyInbox(db, { tenantId: m.tenant_id, userId: m.user_id, messageId: m.id, kind: 'created' });
}

export async function listInbox(
  db: DbOrTx,
  tenantId: string,
  userId: string,
  page: { limit: number; before?: string | undefined; unreadOnly?: boolean | undefined },
): Promise<InboxMessageRow[]> {
  let q = db
    .selectFrom('inbox_messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.before) q = q.where('id', '<', page.before);
  if (page.unreadOnly) q = q.where('read_at', 'is', null);
  return q.execute();
}

export async function countUnread(db: DbOrTx, tenantId: string, userId: string): Promise<number> {
  const r = await db
    .selectFrom('inbox_messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findInboxMessage(db: DbOrTx, tenantId: string, userId: string, id: string): Promise<InboxMessageRow | undefined> {
  return db
    .selectFrom('inbox_messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function markInboxRead(db: DbOrTx, tenantId: string, userId: string, id: string): Promise<boolean> {
  const r = await db
    .updateTable('inbox_messages')
    .set({ read_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  const changed = Number(r.numUpdatedRows) > 0;
  if (changed) await notifyInbox(db, { tenantId, userId, messageId: id, kind: 'read' });
  return changed;
}

/** Deletes (user) or recalls (sender) messages; returns the ids that were removed. */
export async function deleteInboxMessages(db: DbOrTx, tenantId: string, where: { userId?: string; id?: string; notificationId?: string }): Promise<InboxMessageRow[]> {
  let q = db.updateTable('inbox_messages').set({ deleted_at: new Date() }).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
  if (where.userId) q = q.where('user_id', '=', where.userId);
  if (where.id) q = q.where('id', '=', where.id);
  if (where.notificationId) q = q.where('notification_id', '=', where.notificationId);
  const rows = await q.returningAll().execute();
  for (const m of rows) await notifyInbox(db, { tenantId, userId: m.user_id, messageId: m.id, kind: 'deleted' });
  return rows;
}
