// Webhook endpoints, the per-endpoint deliveries the outbox relay fans out, and their attempt
// log. Deliveries are claimed like the outbox is (FOR UPDATE SKIP LOCKED), the row locks held
// by the dispatcher's pass until its attempts are recorded, so several dispatchers never send
// one at once and one that dies lets go of its rows with its connection.
import { sql } from 'kysely';
import type { DbOrTx } from '../database.js';
import type { Updateable } from 'kysely';
import type { NewWebhookAttempt, NewWebhookDelivery, NewWebhookEndpoint, WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow, WebhookEndpointsTable } from '../tables/webhooks.js';

export async function insertWebhookEndpoint(db: DbOrTx, row: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
  return db.insertInto('webhook_endpoints').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findWebhookEndpoint(db: DbOrTx, tenantId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function listWebhookEndpoints(db: DbOrTx, tenantId: string): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
}

export type WebhookEndpointChange = Omit<Updateable<WebhookEndpointsTable>, 'id' | 'tenant_id' | 'created_at' | 'updated_at'>;

export async function updateWebhookEndpoint(db: DbOrTx, tenantId: string, id: string, change: WebhookEndpointChange): Promise<WebhookEndpointRow | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set({ ...change, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteWebhookEndpoint(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Enabled endpoints of these tenants that want any of these topics. */
export async function subscribedEndpoints(db: DbOrTx, tenantIds: readonly string[], topics: readonly string[]): Promise<Pick<WebhookEndpointRow, 'id' | 'tenant_id' | 'event_types'>[]> {
  if (tenantIds.length === 0 || topics.length === 0) return [];
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'tenant_id', 'event_types'])
    .where('tenant_id', 'in', [...tenantIds])
    .where('enabled', '=', true)
    .where(sql<boolean>`event_types && ${sql.val([...topics])}::text[]`)
    .execute();
}

/** Adds deliveries; an (endpoint, event) already there is left as it is. */
export async function insertWebhookDeliveries(db: DbOrTx, rows: NewWebhookDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
    .execute();
}

/**
 * Due pending deliveries of enabled endpoints not waiting for a probe, oldest first, locked
 * (FOR UPDATE SKIP LOCKED) until `tx` ends: call it in the transaction that records their
 * attempts. Each eligible endpoint's oldest due rows are taken through its (endpoint, due time)
 * index, so an endpoint that waits for its probe costs nothing to skip however many events
 * wait for it. An endpoint's rows beyond this pass's `limit` may stay locked until `tx` ends;
 * other dispatchers skip them meanwhile.
 */
export async function claimDueWebhookDeliveries(tx: DbOrTx, limit: number): Promise<WebhookDeliveryRow[]> {
  const now = new Date();
  const r = await sql<WebhookDeliveryRow>`
    select c.* from webhook_endpoints e
    cross join lateral (
      select d.* from webhook_deliveries d
      where d.endpoint_id = e.id and d.status = 'pending' and d.next_attempt_at <= ${now}
      order by d.next_attempt_at
      limit ${limit}
      for update of d skip locked
    ) c
    where e.enabled and (e.probe_at is null or e.probe_at <= ${now})
    order by c.next_attempt_at
    limit ${limit}`.execute(tx);
  return r.rows;
}

export interface WebhookAttemptRecord {
  attempt: NewWebhookAttempt;
  next: { status: 'pending' | 'delivered' | 'failed'; attempts: number; nextAttemptAt: Date };
}

/** A pass's attempts, logged and applied to their deliveries in two statements. */
export async function recordWebhookAttempts(db: DbOrTx, records: readonly WebhookAttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db
    .insertInto('webhook_attempts')
    .values(records.map((r) => r.attempt))
    .execute();
  const values = records.map((r) => sql`(${r.attempt.delivery_id}::bigint, ${r.next.status}::text, ${r.next.attempts}::integer, ${r.next.nextAttemptAt}::timestamptz)`);
  await sql`
    update webhook_deliveries as d
    set status = v.status, attempts = v.attempts, next_attempt_at = v.next_attempt_at,
        delivered_at = case when v.status = 'delivered' then now() else d.delivered_at end
    from (values ${sql.join(values)}) as v (id, status, attempts, next_attempt_at)
    where d.id = v.id`.execute(db);
}

export async function listWebhookAttempts(db: DbOrTx, endpointId: string, page: { limit: number; before?: string | undefined }): Promise<WebhookAttemptRow[]> {
  let q = db.selectFrom('webhook_attempts').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(page.limit);
  if (page.before) q = q.where('id', '<', page.before);
  return q.execute();
}

export async function listWebhookDeliveries(db: DbOrTx, endpointId: string, page: { limit: number; before?: string | undefined }): Promise<WebhookDeliveryRow[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(page.limit);
  if (page.before) q = q.where('id', '<', page.before);
  return q.execute();
}

/** Sends these deliveries again (one event id, or every event in a time range): due now, counted afresh. */
export async function requeueWebhookDeliveries(db: DbOrTx, endpointId: string, which: { eventId: string } | { from: Date; to: Date }): Promise<number> {
  let q = db.updateTable('webhook_deliveries').set({ status: 'pending', attempts: 0, next_attempt_at: new Date() }).where('endpoint_id', '=', endpointId);
  q = 'eventId' in which ? q.where('event_id', '=', which.eventId) : q.where('event_at', '>=', which.from).where('event_at', '<', which.to);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * A tenant's webhook deliveries of events before `before` (their attempts go with them), at most
 * `limit` per call; returns how many went. Read through the (endpoint, event time) index.
 */
export async function deleteTenantWebhookDeliveriesBefore(db: DbOrTx, tenantId: string, before: Date, limit: number): Promise<number> {
  const r = await sql<{ n: string }>`
    with gone as (
      delete from webhook_deliveries where id in (
        select id from webhook_deliveries
        where endpoint_id in (select id from webhook_endpoints where tenant_id = ${tenantId}) and event_at < ${before}
        limit ${limit}
      ) returning 1
    ) select count(*)::text as n from gone`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}
