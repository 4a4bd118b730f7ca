import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { DeliveryRow, NewDelivery } from '../tables/deliveries.js';

/** The notification's created_at, for the partition key of its ledger and log rows. */
export const notificationCreatedAt = (notificationId: string) => sql<Date>`(select created_at from notifications where id = ${notificationId})`;

/**
 * Creates ledger rows; rows that already exist (a retried activity) are left alone. Each
 * row's partition key is its notification's created_at, read here so it cannot differ.
 */
export async function insertDeliveries(db: DbOrTx, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('deliveries')
    .values(rows.map((r) => ({ ...r, notification_created_at: notificationCreatedAt(r.notification_id) })))
    .onConflict((oc) => oc.columns(['notification_id', 'user_id', 'channel', 'notification_created_at']).doNothing())
    .execute();
}

export async function listDeliveries(
  db: DbOrTx,
  tenantId: string,
  notificationId: string,
  page: { limit: number; after?: string | undefined },
): Promise<DeliveryRow[]> {
  let q = db
    .selectFrom('deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('notification_id', '=', notificationId)
    .orderBy('id')
    .limit(page.limit);
  if (page.after) q = q.where('id', '>', page.after);
  return q.execute();
}

export async function findDelivery(db: DbOrTx, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Ledger rows by id, in no particular order; unknown ids are missing. */
export async function findDeliveries(db: DbOrTx, ids: readonly string[]): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('deliveries').selectAll().where('id', 'in', [...ids]).execute();
}

/**
 * Claims a ledger row for one send attempt. Returns undefined when the row is already in
 * a final state (sent by an earlier attempt, or failed/suppressed), so the caller must
 * not send. A row left `sending` by a crashed attempt is claimed again: the stable
 * message id lets the receiving side de-duplicate that one send.
 */
export async function claimDelivery(db: DbOrTx, id: string): Promise<DeliveryRow | undefined> {
  const now = new Date();
  return db
    .updateTable('deliveries')
    .set((eb) => ({ status: 'sending', claimed_at: now, updated_at: now, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'sending'])
    .returningAll()
    .executeTakeFirst();
}

/** `claimDelivery` for many rows in one statement: the rows claimed (others are final). */
export async function claimDeliveries(db: DbOrTx, ids: readonly string[]): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  const now = new Date();
  return db
    .updateTable('deliveries')
    .set((eb) => ({ status: 'sending', claimed_at: now, updated_at: now, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', [...ids])
    .where('status', 'in', ['pending', 'sending'])
    .returningAll()
    .execute();
}

export interface Completion {
  provider: string;
  providerMessageId: string | null;
  /** Where it went, when that is only known once a provider was chosen (a chat id, a device). */
  address?: string | undefined;
}

export async function completeDelivery(db: DbOrTx, id: string, c: Completion): Promise<void> {
  const now = new Date();
  await db
    .updateTable('deliveries')
    .set({
      status: 'sent',
      provider: c.provider,
      provider_message_id: c.providerMessageId,
      ...(c.address !== undefined ? { address: c.address } : {}),
      sent_at: now,
      updated_at: now,
      reason: null,
      error_code: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** `completeDelivery` for many rows in one statement (arrays unnested side by side). */
export async function completeDeliveries(db: DbOrTx, items: readonly { id: string; completion: Completion }[]): Promise<void> {
  if (items.length === 0) return;
  const now = new Date();
  const ids = items.map((i) => i.id);
  const providers = items.map((i) => i.completion.provider);
  const providerMessageIds = items.map((i) => i.completion.providerMessageId);
  const addresses = items.map((i) => i.completion.address ?? null);
  await sql`
    update deliveries as d
    set status = 'sent', provider = v.provider, provider_message_id = v.provider_message_id,
        address = coalesce(v.address, d.address), sent_at = ${now}, updated_at = ${now}, reason = null, error_code = null
    from unnest(${ids}::text[], ${providers}::text[], ${providerMessageIds}::text[], ${addresses}::text[])
      as v(id, provider, provider_message_id, address)
    where d.id = v.id and d.status = 'sending'
  `.execute(db);
}

/** Records a transient error while the row stays claimable for the next attempt. */
export async function noteDeliveryRetry(db: DbOrTx, id: string, reason: string, code: string | null, provider?: string | undefined): Promise<void> {
  await db
    .updateTable('deliveries')
    // The provider that refused: failures per provider are counted from it.
    .set({ status: 'pending', reason, error_code: code, updated_at: new Date(), ...(provider ? { provider } : {}) })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** Suppresses a row that turned out to have nowhere to go (its identities are gone). */
export async function suppressDelivery(db: DbOrTx, id: string, reason: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'suppressed', reason, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'sending'])
    .execute();
}

/** Ends a row as failed unless it already reached a final state. */
export async function failDelivery(db: DbOrTx, id: string, reason: string, code: string | null, provider?: string | undefined): Promise<void> {
  const now = new Date();
  await db
    .updateTable('deliveries')
    .set({ status: 'failed', reason, error_code: code, failed_at: now, updated_at: now, ...(provider ? { provider } : {}) })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'sending'])
    .execute();
}

/** Marks unsent rows expired: an expired message is never delivered. */
export async function expireDeliveries(db: DbOrTx, notificationId: string, reason: string, onlyId?: string): Promise<void> {
  let q = db
    .updateTable('deliveries')
    .set({ status: 'expired', reason, updated_at: new Date() })
    .where('notification_id', '=', notificationId)
    .where('status', '=', 'pending');
  if (onlyId) q = q.where('id', '=', onlyId);
  await q.execute();
}

/**
 * Applies a provider's delivery receipt to the row it sent. Receipts can arrive out of
 * order (`sent` after `delivered`), so a row never moves back from a final receipt.
 */
export async function applyReceipt(
  db: DbOrTx,
  tenantId: string,
  provider: string,
  providerMessageId: string,
  outcome: { status: 'delivered' | 'failed'; reason?: string | undefined; code?: string | undefined },
): Promise<DeliveryRow | undefined> {
  const now = new Date();
  return db
    .updateTable('deliveries')
    .set(
      outcome.status === 'delivered'
        ? { status: 'delivered', delivered_at: now, updated_at: now }
        : { status: 'failed', failed_at: now, updated_at: now, reason: outcome.reason ?? 'the provider reported the message undelivered', error_code: outcome.code ?? null },
    )
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', provider)
    .where('provider_message_id', '=', providerMessageId)
    .where('status', 'in', ['sent', 'sending'])
    .returningAll()
    .executeTakeFirst();
}

/** Marks in-app deliveries of a notification recalled; returns how many. */
export async function recallDeliveries(db: DbOrTx, tenantId: string, notificationId: string, channel: string): Promise<number> {
  const rows = await db
    .updateTable('deliveries')
    .set({ status: 'recalled', reason: 'recalled by the sender', updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('notification_id', '=', notificationId)
    .where('channel', '=', channel)
    .where('status', 'in', ['sent', 'delivered'])
    .returning('id')
    .execute();
  return rows.length;
}

/** Sent-and-not-recalled deliveries of a notification, per channel. */
export async function countSentByChannel(db: DbOrTx, tenantId: string, notificationId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['channel', (eb) => eb.fn.countAll<string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('notification_id', '=', notificationId)
    .where('status', 'in', ['sent', 'delivered'])
    .groupBy('channel')
    .execute();
  return new Map(rows.map((r) => [r.channel, Number(r.n)]));
}

export interface RecallCandidate {
  id: string;
  channel: string;
  provider: string;
  provider_message_id: string;
  kind: string;
}

/**
 * Sent deliveries of a notification that went through a tenant provider of one of these
 * kinds (those that can take a message back), in id order from `after`.
 */
export async function listRecallCandidates(
  db: DbOrTx,
  tenantId: string,
  notificationId: string,
  kinds: readonly string[],
  page: { limit: number; after?: string | null | undefined },
): Promise<RecallCandidate[]> {
  if (kinds.length === 0) return [];
  let q = db
    .selectFrom('deliveries as d')
    .innerJoin('providers as p', (j) => j.onRef('p.tenant_id', '=', 'd.tenant_id').onRef('p.id', '=', 'd.provider'))
    .select(['d.id', 'd.channel', 'd.provider', 'd.provider_message_id', 'p.kind'])
    .where('d.tenant_id', '=', tenantId)
    .where('d.notification_id', '=', notificationId)
    .where('d.status', 'in', ['sent', 'delivered'])
    .where('d.provider_message_id', 'is not', null)
    .where('p.kind', 'in', kinds)
    .orderBy('d.id')
    .limit(page.limit);
  if (page.after) q = q.where('d.id', '>', page.after);
  return (await q.execute()) as RecallCandidate[];
}

/** Marks one sent delivery recalled; false when it was not (or no longer) sent. */
export async function markDeliveryRecalled(db: DbOrTx, id: string, reason: string): Promise<boolean> {
  const row = await db
    .updateTable('deliveries')
    .set({ status: 'recalled', reason, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', ['sent', 'delivered'])
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** How many recall candidates (see listRecallCandidates) a notification has, per channel. */
export async function countRecallCandidates(db: DbOrTx, tenantId: string, notificationId: string, kinds: readonly string[]): Promise<Map<string, number>> {
  if (kinds.length === 0) return new Map();
  const rows = await db
    .selectFrom('deliveries as d')
    .innerJoin('providers as p', (j) => j.onRef('p.tenant_id', '=', 'd.tenant_id').onRef('p.id', '=', 'd.provider'))
    .select(['d.channel', (eb) => eb.fn.countAll<string>().as('n')])
    .where('d.tenant_id', '=', tenantId)
    .where('d.notification_id', '=', notificationId)
    .where('d.status', 'in', ['sent', 'delivered'])
    .where('d.provider_message_id', 'is not', null)
    .where('p.kind', 'in', kinds)
    .groupBy('d.channel')
    .execute();
  return new Map(rows.map((r) => [r.channel, Number(r.n)]));
}

export interface DeliverySearch {
  userId?: string | undefined;
  /** Where it went, matched whole and case-insensitively (an email address, a phone number, a chat id). */
  address?: string | undefined;
  channel?: string | undefined;
  status?: string | undefined;
  provider?: string | undefined;
  /** Created at or after. */
  from?: Date | undefined;
  /** Created before. */
  to?: Date | undefined;
}

/** A ledger row with the template of its notification: one line of the delivery log. */
export type DeliveryLogRow = DeliveryRow & { template_key: string };

/** The tenant's deliveries across notifications, newest first; `before` is the last id of the previous page. */
export async function searchDeliveries(db: DbOrTx, tenantId: string, f: DeliverySearch, page: { limit: number; before?: string | undefined }): Promise<DeliveryLogRow[]> {
  let q = db
    .selectFrom('deliveries as d')
    .innerJoin('notifications as n', 'n.id', 'd.notification_id')
    .selectAll('d')
    .select('n.template_key')
    .where('d.tenant_id', '=', tenantId)
    .orderBy('d.id', 'desc')
    .limit(page.limit);
  if (page.before) q = q.where('d.id', '<', page.before);
  if (f.userId) q = q.where('d.user_id', '=', f.userId);
  if (f.address) q = q.where(sql<string>`lower(d.address)`, '=', f.address.toLowerCase());
  if (f.channel) q = q.where('d.channel', '=', f.channel);
  if (f.status) q = q.where('d.status', '=', f.status);
  if (f.provider) q = q.where('d.provider', '=', f.provider);
  if (f.from) q = q.where('d.created_at', '>=', f.from);
  if (f.to) q = q.where('d.created_at', '<', f.to);
  return q.execute();
}
