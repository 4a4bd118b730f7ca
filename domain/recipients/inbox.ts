// A user's in-app inbox — list, seen/read/archived states, actions, delete — for the API and
// the embeddable widget alike (the widget's token names the user; the API's key the tenant).
import type { DbOrTx } from '../../schema/database.js';
import {
  changeInboxState,
  countInbox,
  deleteInboxMessages,
  findInboxMessage,
  listInbox,
  type InboxChange,
  type InboxCounts,
  type InboxFilter,
  type InboxSelection,
} from '../../schema/queries/inbox.js';
import { findUser } from '../../schema/queries/users.js';
import type { InboxMessageRow } from '../../schema/tables/inbox-messages.js';
import { notFound } from '../errors.js';
import type { Tracker } from '../tracking/tracker.js';

export interface InboxOwner {
  tenantId: string;
  userId: string;
}

export interface InboxPage extends InboxCounts {
  items: InboxMessageRow[];
  nextCursor: string | null;
}

/** The inbox of a user an API key names: only a user of the key's tenant has one (else 404, never another tenant's). */
export async function apiInboxOwner(db: DbOrTx, tenantId: string, userId: string): Promise<InboxOwner> {
  if (!(await findUser(db, tenantId, userId))) throw notFound('user');
  return { tenantId, userId };
}

/** One page of the inbox, newest first, with the unread and unseen counts (in all and per category). */
export async function inboxPage(db: DbOrTx, o: InboxOwner, page: { limit: number; cursor?: string | undefined } & InboxFilter): Promise<InboxPage> {
  const rows = await listInbox(db, o.tenantId, o.userId, { ...page, limit: page.limit + 1, before: page.cursor });
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null, ...(await countInbox(db, o.tenantId, o.userId)) };
}

export interface InboxDeps {
  db: DbOrTx;
  /** Records each message's first read as its delivery's `read` event. */
  tracker: Pick<Tracker, 'engagement' | 'messagesRead'>;
}

/**
 * The state change; a read is recorded on the messages' deliveries (a `read` event, once per
 * message) in the same transaction. An inbox message's id is its delivery's id.
 */
function change(deps: InboxDeps, o: InboxOwner, kind: Exclude<InboxChange, 'deleted'>, which: InboxSelection): Promise<string[]> {
  if (kind !== 'read') return changeInboxState(deps.db, o.tenantId, o.userId, kind, which);
  return deps.tracker.messagesRead(async (tx) => {
    const ids = await changeInboxState(tx, o.tenantId, o.userId, kind, which);
    return { result: ids, deliveryIds: ids };
  });
}

/** Moves one message into a state; doing it again is fine, only a missing message is an error. */
export async function changeMessage(deps: InboxDeps, o: InboxOwner, kind: Exclude<InboxChange, 'deleted'>, messageId: string): Promise<void> {
  const changed = await change(deps, o, kind, { ids: [messageId] });
  if (changed.length === 0 && !(await findInboxMessage(deps.db, o.tenantId, o.userId, messageId))) throw notFound('inbox message');
}

/**
 * Marks messages seen (those given, e.g. the ones a list showed) or every message not
 * archived read or seen (of one category when given). Returns how many changed.
 */
export async function changeMany(deps: InboxDeps, o: InboxOwner, kind: 'read' | 'seen', which: { ids?: string[] | undefined; category?: string | undefined }): Promise<number> {
  const selection = which.ids ? { ids: which.ids } : { all: true as const, category: which.category };
  return (await change(deps, o, kind, selection)).length;
}

/**
 * The user pressed an action button: records a `clicked` event with the action's id (and its
 * url, for a link) on the message's delivery, and marks the message read. Returns the action.
 */
export async function pressAction(deps: InboxDeps, o: InboxOwner, messageId: string, actionId: string): Promise<{ id: string; url: string | null }> {
  const m = await findInboxMessage(deps.db, o.tenantId, o.userId, messageId);
  if (!m) throw notFound('inbox message');
  const action = m.actions.find((a) => a.id === actionId);
  if (!action) throw notFound('action');
  // The inbox message id is its delivery's id (one message per in-app delivery).
  await deps.tracker.engagement(m.id, { kind: 'action', action: action.id, url: action.url });
  await change(deps, o, 'read', { ids: [m.id] });
  return { id: action.id, url: action.url ?? null };
}

export async function deleteMessage(db: DbOrTx, o: InboxOwner, messageId: string): Promise<void> {
  const removed = await deleteInboxMessages(db, o.tenantId, { userId: o.userId, id: messageId });
  if (removed.length === 0) throw notFound('inbox message');
}
