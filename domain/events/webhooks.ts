// Webhook endpoints: per tenant, a URL, the event types it wants, an enabled flag and a
// Standard Webhooks secret (`whsec_…`, shown once) that can be rotated, the old one signing
// too for a grace period. The relay fans outbox events out to them (`fanOutToWebhooks`, in
// the claim's transaction), so a delivery never waits on an endpoint.
import { randomBytes } from 'node:crypto';
import { DELIVERY_EVENT_TYPES, type DeliveryEventType } from '../../analytics/events.js';
import { isIP } from 'node:net';
import { refusalFor } from '../../channels/outbound-guard.js';
import type { SecretBox } from '../../common/secret-box.js';
import type { DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { outboundAllowlist } from '../../schema/queries/identities.js';
import {
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  insertWebhookDeliveries,
  insertWebhookEndpoint,
  requeueWebhookDeliveries,
  subscribedEndpoints,
  updateWebhookEndpoint,
  type WebhookEndpointChange,
} from '../../schema/queries/webhooks.js';
import type { EventOutboxRow } from '../../schema/tables/event-outbox.js';
import type { WebhookEndpointRow } from '../../schema/tables/webhooks.js';
import type { Actor } from '../actor.js';
import { notFound, unprocessable } from '../errors.js';
import { NOTIFICATION_EVENT_TYPES, type NotificationEventType } from './notification-events.js';
import { DELIVERY_TOPIC_PREFIX } from './outbox.js';
import { webhookBody } from './payloads.js';

/** Ledger bookkeeping before a send, not news for a receiver. */
const UNPUBLISHED_DELIVERY_EVENTS = ['queued', 'deferred'] as const;
type WebhookDeliveryEventType = Exclude<DeliveryEventType, (typeof UNPUBLISHED_DELIVERY_EVENTS)[number]>;

/**
 * What an endpoint can subscribe to: the notification events, and every delivery event the
 * tracker records (`delivery.<type>`), whatever records it — a send, a provider's receipt, a
 * complaint, an inbox read — so a new kind of receipt needs nothing here.
 */
export type WebhookEventType = NotificationEventType | `${typeof DELIVERY_TOPIC_PREFIX}${WebhookDeliveryEventType}`;
export const WEBHOOK_EVENT_TYPES = [
  ...NOTIFICATION_EVENT_TYPES,
  ...DELIVERY_EVENT_TYPES.filter((t): t is WebhookDeliveryEventType => !(UNPUBLISHED_DELIVERY_EVENTS as readonly string[]).includes(t)).map((t) => `${DELIVERY_TOPIC_PREFIX}${t}` as const),
] as const satisfies readonly WebhookEventType[];

export interface WebhookDeps {
  db: DbOrTx;
  secretBox: SecretBox | undefined;
  /** How long the previous secret keeps signing after a rotation. */
  rotationGraceMs: number;
}

export interface EndpointRequest {
  url: string;
  eventTypes: WebhookEventType[];
  enabled?: boolean | undefined;
  description?: string | null | undefined;
}

export type EndpointChange = Partial<EndpointRequest>;

function requireBox(box: SecretBox | undefined): SecretBox {
  if (!box) throw unprocessable('secret_key_missing', 'set HERALD_SECRET_KEY so webhook secrets can be stored encrypted');
  return box;
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * http(s) only; a literal IP the tenant has not allowlisted is refused here (422), and a
 * host name is checked on every connection (the outbound guard), since DNS can change.
 */
async function checkUrl(db: DbOrTx, tenantId: string, raw: string): Promise<void> {
  const refuse = (message: string) => unprocessable('invalid_webhook_url', `url: ${message}`, [{ in: 'body', path: 'url', message }]);
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw refuse('must be an http(s) URL');
  if (url.username || url.password) throw refuse('must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') throw refuse('refused by the outbound guard: localhost (use an allowlisted address)');
  if (isIP(host) === 0) return;
  const reason = refusalFor(host, { allow: await outboundAllowlist(db, tenantId) });
  if (reason) throw refuse(`refused by the outbound guard: ${reason} (allow it in the tenant's outbound allowlist)`);
}

export async function loadEndpoint(db: DbOrTx, tenantId: string, id: string): Promise<WebhookEndpointRow> {
  const row = await findWebhookEndpoint(db, tenantId, id);
  if (!row) throw notFound(`webhook endpoint ${id}`);
  return row;
}

/** The endpoint and its secret, which is shown this once. */
export async function createEndpoint(deps: WebhookDeps, actor: Actor, req: EndpointRequest): Promise<{ row: WebhookEndpointRow; secret: string }> {
  await checkUrl(deps.db, actor.tenantId, req.url);
  const secret = newSecret();
  const row = await insertWebhookEndpoint(deps.db, {
    id: `whk_${randomBytes(12).toString('hex')}`,
    tenant_id: actor.tenantId,
    url: req.url,
    description: req.description ?? null,
    event_types: [...new Set(req.eventTypes)],
    enabled: req.enabled ?? true,
    secret_sealed: requireBox(deps.secretBox).seal(secret),
    previous_secret_sealed: null,
    previous_expires_at: null,
    failing_since: null,
    disabled_reason: null,
  });
  await appendAudit(deps.db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'webhook.created', targetType: 'webhook', targetId: row.id, details: { url: row.url, eventTypes: row.event_types } });
  return { row, secret };
}

export async function changeEndpoint(deps: WebhookDeps, actor: Actor, id: string, change: EndpointChange): Promise<WebhookEndpointRow> {
  await loadEndpoint(deps.db, actor.tenantId, id);
  if (change.url !== undefined) await checkUrl(deps.db, actor.tenantId, change.url);
  const set: WebhookEndpointChange = {};
  if (change.url !== undefined) set.url = change.url;
  if (change.eventTypes !== undefined) set.event_types = [...new Set(change.eventTypes)];
  if (change.description !== undefined) set.description = change.description;
  // Enabling again clears what disabled it.
  if (change.enabled !== undefined) Object.assign(set, { enabled: change.enabled }, change.enabled ? { disabled_reason: null, failing_since: null } : {});
  const row = await updateWebhookEndpoint(deps.db, actor.tenantId, id, set);
  if (!row) throw notFound(`webhook endpoint ${id}`);
  await appendAudit(deps.db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'webhook.changed', targetType: 'webhook', targetId: id, details: { ...change } });
  return row;
}

export async function removeEndpoint(deps: WebhookDeps, actor: Actor, id: string): Promise<void> {
  if (!(await deleteWebhookEndpoint(deps.db, actor.tenantId, id))) throw notFound(`webhook endpoint ${id}`);
  await appendAudit(deps.db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'webhook.deleted', targetType: 'webhook', targetId: id });
}

/** A new secret, shown once; the current one keeps signing (beside it) for the grace period. */
export async function rotateSecret(deps: WebhookDeps, actor: Actor, id: string): Promise<{ row: WebhookEndpointRow; secret: string }> {
  const current = await loadEndpoint(deps.db, actor.tenantId, id);
  const secret = newSecret();
  const previousExpiresAt = new Date(Date.now() + deps.rotationGraceMs);
  const row = await updateWebhookEndpoint(deps.db, actor.tenantId, id, {
    secret_sealed: requireBox(deps.secretBox).seal(secret),
    previous_secret_sealed: current.secret_sealed,
    previous_expires_at: previousExpiresAt,
  });
  if (!row) throw notFound(`webhook endpoint ${id}`);
  await appendAudit(deps.db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'webhook.secret_rotated', targetType: 'webhook', targetId: id, details: { previousExpiresAt: previousExpiresAt.toISOString() } });
  return { row, secret };
}

/** Queues one event, or every event of a time range, to be sent to the endpoint again. */
export async function redeliver(deps: WebhookDeps, actor: Actor, id: string, which: { eventId: string } | { from: Date; to: Date }): Promise<number> {
  await loadEndpoint(deps.db, actor.tenantId, id);
  if ('from' in which && which.from.getTime() >= which.to.getTime()) throw unprocessable('invalid_range', 'from must be before to');
  const n = await requeueWebhookDeliveries(deps.db, id, which);
  if ('eventId' in which && n === 0) throw notFound(`event ${which.eventId} of webhook endpoint ${id}`);
  return n;
}

/** The relay's fan-out: one delivery per subscribed endpoint and event, in the claim's transaction. */
export async function fanOutToWebhooks(tx: DbOrTx, rows: readonly EventOutboxRow[]): Promise<void> {
  const wanted = rows.filter((r) => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(r.topic));
  if (wanted.length === 0) return;
  const endpoints = await subscribedEndpoints(tx, [...new Set(wanted.map((r) => r.tenant_id))], [...new Set(wanted.map((r) => r.topic))]);
  if (endpoints.length === 0) return;
  await insertWebhookDeliveries(
    tx,
    wanted.flatMap((r) =>
      endpoints
        .filter((e) => e.tenant_id === r.tenant_id && e.event_types.includes(r.topic))
        .map((e) => ({ endpoint_id: e.id, tenant_id: r.tenant_id, event_id: r.event_id, topic: r.topic, body: webhookBody(r), event_at: r.created_at })),
    ),
  );
}
