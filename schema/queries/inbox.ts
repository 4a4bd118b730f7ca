import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, DbOrTx } from '../database.js';
import type { InboxMessageRow, NewInboxMessage } from '../tables/inbox-messages.js';

/** The channel PostgreSQL notifies on when an inbox changes; API processes LISTEN on it. */
export const INBOX_CHANNEL = 'herald_inbox';

export const INBOX_CHANGES = ['seen', 'read', 'unread', 'archived', 'unarchived', 'deleted'] as const;
export type InboxChange = (typeof INBOX_CHANGES)[number];

/**
 * One change to a user's inbox. `messageIds` names the messages changed; a change to every
 * message (of a category, when `category` is set) says `all` instead, so a mark-all-read of
 * thousands of messages is one notification within PostgreSQL's payload limit.
 */
export type InboxEvent =
  | { tenantId: string; userId: string; kind: 'created'; messageId: string }
  | { tenantId: string; userId: string; kind: InboxChange; messageIds: string[] }
  | { tenantId: string; userId: string; kind: InboxChange; all: true; category?: string | undefined };

/** What a list shows: by default the messages not archived. */
export const INBOX_STATES = ['unseen', 'unread', 'read', 'archived', 'all'] as const;
export type InboxState = (typeof INBOX_STATES)[number];

export interface InboxFilter {
  state?: InboxState | undefined;
  category?: string | undefined;
}

export interface InboxCounts {
  unread: number;
  unseen: number;
  categories: { category: string | null; total: number; unread: number; unseen: number }[];
}

async function notifyInbox(db: DbOrTx, e: InboxEvent): Promise<void> {
  await sql`select pg_notify(${INBOX_CHANNEL}, ${JSON.stringify(e)})`.execute(db);
}

/** Idempotent: a retried delivery finds its message already there. */
export async function insertInboxMessage(db: DbOrTx, m: NewInboxMessage): Promise<void> {
  const inserted = await db.insertInto('inbox_messages').values(m).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
  if (inserted) await notifyInbox(db, { tenantId: m.tenant_id, userId: m.user_id, messageId: m.id, kind: 'created' });
}

function inboxOf(db: DbOrTx, tenantId: string, userId: string) {
  return db.selectFrom('inbox_messages').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('deleted_at', 'is', null);
}

type Eb = ExpressionBuilder<Database, 'inbox_messages'>;
const STATE_WHERE: Record<InboxState, (eb: Eb) => ReturnType<Eb['and']>> = {
  unseen: (eb) => eb.and([eb('archived_at', 'is', null), eb('seen_at', 'is', null)]),
  unread: (eb) => eb.and([eb('archived_at', 'is', null), eb('read_at', 'is', null)]),
  read: (eb) => eb.and([eb('archived_at', 'is', null), eb('read_at', 'is not', null)]),
  archived: (eb) => eb.and([eb('archived_at', 'is not', null)]),
  all: (eb) => eb.and([]),
};

export async function listInbox(db: DbOrTx, tenantId: string, userId: string, page: { limit: number; before?: string | undefined } & InboxFilter): Promise<InboxMessageRow[]> {
  let q = inboxOf(db, tenantId, userId)
    .selectAll()
    .where(page.state ? STATE_WHERE[page.state] : (eb) => eb('archived_at', 'is', null))
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.before) q = q.where('id', '<', page.before);
  if (page.category !== undefined) q = q.where('category', '=', page.category);
  return q.execute();
}

/** Unread and unseen counts of the messages not archived, in all and per category. */
export async function countInbox(db: DbOrTx, tenantId: string, userId: string): Promise<InboxCounts> {
  const rows = await inboxOf(db, tenantId, userId)
    .where('archived_at', 'is', null)
    .select((eb) => [
      'category',
      eb.fn.countAll<string>().as('total'),
      sql<string>`count(*) filter (where read_at is null)`.as('unread'),
      sql<string>`count(*) filter (where seen_at is null)`.as('unseen'),
    ])
    .groupBy('category')
    .orderBy('category')
    .execute();
  const categories = rows.map((r) => ({ category: r.category, total: Number(r.total), unread: Number(r.unread), unseen: Number(r.unseen) }));
  return { unread: categories.reduce((n, c) => n + c.unread, 0), unseen: categories.reduce((n, c) => n + c.unseen, 0), categories };
}

export async function findInboxMessage(db: DbOrTx, tenantId: string, userId: string, id: string): Promise<InboxMessageRow | undefined> {
  return inboxOf(db, tenantId, userId).selectAll().where('id', '=', id).executeTakeFirst();
}

/** Which messages a change applies to: some by id, or every one (of a category). */
export type InboxSelection = { ids: readonly string[] } | { all: true; category?: string | undefined };

const CHANGE_SET: Record<Exclude<InboxChange, 'deleted'>, { set: (now: Date) => object; pending: (eb: Eb) => ReturnType<Eb['and']> }> = {
  seen: { set: (now) => ({ seen_at: now }), pending: (eb) => eb.and([eb('seen_at', 'is', null)]) },
  // Reading a message is seeing it too.
  read: { set: (now) => ({ read_at: now, seen_at: sql`coalesce(seen_at, ${now})` }), pending: (eb) => eb.and([eb('read_at', 'is', null)]) },
  unread: { set: () => ({ read_at: null }), pending: (eb) => eb.and([eb('read_at', 'is not', null)]) },
  archived: { set: (now) => ({ archived_at: now }), pending: (eb) => eb.and([eb('archived_at', 'is', null)]) },
  unarchived: { set: () => ({ archived_at: null }), pending: (eb) => eb.and([eb('archived_at', 'is not', null)]) },
};

/**
 * Moves the selected messages into a state, with its timestamp; messages already in it keep
 * theirs. Returns the ids that changed (a bulk change of archived messages leaves them be).
 */
export async function changeInboxState(db: DbOrTx, tenantId: string, userId: string, kind: Exclude<InboxChange, 'deleted'>, which: InboxSelection): Promise<string[]> {
  const change = CHANGE_SET[kind];
  let q = db
    .updateTable('inbox_messages')
    .set(change.set(new Date()))
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where(change.pending);
  if ('ids' in which) q = q.where('id', 'in', which.ids.length > 0 ? [...which.ids] : ['']);
  else {
    if (kind !== 'unarchived') q = q.where('archived_at', 'is', null);
    if (which.category !== undefined) q = q.where('category', '=', which.category);
  }
  const ids = (await q.returning('id').execute()).map((r) => r.id);
  if (ids.length > 0) {
    await notifyInbox(db, 'ids' in which ? { tenantId, userId, kind, messageIds: ids } : { tenantId, userId, kind, all: true, category: which.category });
  }
  return ids;
}

/** Deletes (user) or recalls (sender) messages; returns the ids that were removed. */
export async function deleteInboxMessages(db: DbOrTx, tenantId: string, where: { userId?: string; id?: string; notificationId?: string }): Promise<InboxMessageRow[]> {
  let q = db.updateTable('inbox_messages').set({ deleted_at: new Date() }).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
  if (where.userId) q = q.where('user_id', '=', where.userId);
  if (where.id) q = q.where('id', '=', where.id);
  if (where.notificationId) q = q.where('notification_id', '=', where.notificationId);
  const rows = await q.returningAll().execute();
  for (const m of rows) await notifyInbox(db, { tenantId, userId: m.user_id, messageIds: [m.id], kind: 'deleted' });
  return rows;
}
