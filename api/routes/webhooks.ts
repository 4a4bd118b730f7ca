// Webhook endpoints (domain/events/webhooks.ts): CRUD, secret rotation, the per-endpoint
// delivery and attempt logs, and redelivery. Secrets are shown once, at creation and rotation.
import { z } from 'zod';
import { PRIORITIES } from '../../common/priorities.js';
import type { ApprovalDecidedData, ApprovalRequestedData, NotificationAcceptedData, NotificationCompletedData } from '../../domain/events/notification-events.js';
import { DELIVERY_TOPIC_PREFIX } from '../../domain/events/outbox.js';
import type { DeliveryEventData } from '../../domain/events/payloads.js';
import { changeEndpoint, createEndpoint, loadEndpoint, redeliver, removeEndpoint, rotateSecret, WEBHOOK_EVENT_TYPES, type WebhookDeps } from '../../domain/events/webhooks.js';
import { listWebhookAttempts, listWebhookDeliveries, listWebhookEndpoints } from '../../schema/queries/webhooks.js';
import type { WebhookEndpointRow } from '../../schema/tables/webhooks.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { IdParam, IsoDateTime, listOf, Pagination } from '../schemas.js';

/** A day: receivers deploy the new secret meanwhile. */
export const DEFAULT_ROTATION_GRACE_MS = 86_400_000;

const EventType = z.enum(WEBHOOK_EVENT_TYPES).meta({ id: 'WebhookEventType' });

const EndpointRequest = z
  .object({
    url: z.string().max(2000).meta({ description: 'http(s); every connection goes through the outbound guard (a private address only if the tenant allowlists it).' }),
    eventTypes: z.array(EventType).min(1).max(WEBHOOK_EVENT_TYPES.length).meta({ description: 'The events this endpoint gets.' }),
    enabled: z.boolean().optional(),
    description: z.string().max(500).nullable().optional(),
  })
  .strict()
  .meta({ id: 'WebhookEndpointRequest' });

const EndpointPatch = EndpointRequest.partial().strict().meta({ id: 'WebhookEndpointPatch' });

const Endpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(EventType),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().meta({ description: 'Why Herald disabled it (failing too long); enabling it again clears this.' }),
    failingSince: z.string().nullable(),
    previousSecretExpiresAt: z.string().nullable().meta({ description: 'Until then, the secret before the last rotation signs too.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

const WithSecret = Endpoint.extend({ secret: z.string().meta({ description: 'The signing secret (`whsec_…`), shown only in this answer.' }) }).meta({ id: 'WebhookEndpointWithSecret' });

const Attempt = z
  .object({
    id: z.string(),
    eventId: z.string(),
    at: z.string(),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
    responseExcerpt: z.string().nullable().meta({ description: 'The first 500 characters of the answer.' }),
  })
  .meta({ id: 'WebhookAttempt' });

/** Exactly the same type both ways: the schemas below are the domain's payload types, declared for /openapi.json. */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

const DeliveryData = z
  .object({
    notificationId: z.string(),
    deliveryId: z.string(),
    userId: z.string(),
    channel: z.string(),
    provider: z.string().nullable(),
    templateKey: z.string(),
    templateVersion: z.number().int(),
    priority: z.enum(PRIORITIES),
    category: z.string().nullable(),
    reason: z.string().nullable().meta({ description: "Why it failed, bounced, complained, was suppressed, expired or recalled: the policy's reason or the provider's reply." }),
    errorCode: z.string().nullable().meta({ description: "The provider's or the policy's code (an SMTP status, an HTTP status, `no_identity`)." }),
    createdToSentMs: z.number().int().nullable().meta({ description: "On `delivery.sent`: from the notification's creation to the provider taking the message." }),
    sentToDeliveredMs: z.number().int().nullable().meta({ description: 'On `delivery.delivered` from a provider receipt.' }),
  })
  .meta({ id: 'WebhookDeliveryData', description: 'The `data` of a `delivery.*` event.' });

const AcceptedData = z
  .object({
    notificationId: z.string(),
    kind: z.enum(['single', 'bulk']),
    templateKey: z.string(),
    templateVersion: z.number().int(),
    priority: z.string(),
    category: z.string().nullable(),
    sendAt: z.string().nullable().meta({ description: 'Null: as soon as possible.' }),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'WebhookNotificationAcceptedData', description: "The `data` of `notification.accepted`: the notification's run started." });

const RequestedData = z
  .object({
    notificationId: z.string(),
    audienceSize: z.number().int().meta({ description: 'Users the audience matched when the run started.' }),
    decideBy: z.string().meta({ description: 'Not decided by then: rejected.' }),
  })
  .meta({ id: 'WebhookApprovalRequestedData', description: 'The `data` of `approval.requested`: a bulk send waits for a key with `approve` other than its creator.' });

const DecidedData = z
  .object({
    notificationId: z.string(),
    approved: z.boolean(),
    decidedBy: z.string().nullable().meta({ description: 'The deciding key; null when nobody decided in time (then `reason` says so).' }),
    comment: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'WebhookApprovalDecidedData', description: 'The `data` of `approval.decided`.' });

const CompletedData = z
  .object({
    notificationId: z.string(),
    status: z.string().meta({ description: 'The final status: completed, partially_failed, failed, expired, rejected or cancelled.' }),
    reason: z.string().nullable(),
    counts: z.record(z.string(), z.number().int()).meta({ description: 'Deliveries per status (empty when the run ended before sending).' }),
  })
  .meta({ id: 'WebhookNotificationCompletedData', description: 'The `data` of `notification.completed`.' });

export const payloadsDeclaredOnce: [
  Exactly<z.infer<typeof DeliveryData>, DeliveryEventData>,
  Exactly<z.infer<typeof AcceptedData>, NotificationAcceptedData>,
  Exactly<z.infer<typeof RequestedData>, ApprovalRequestedData>,
  Exactly<z.infer<typeof DecidedData>, ApprovalDecidedData>,
  Exactly<z.infer<typeof CompletedData>, NotificationCompletedData>,
] = [true, true, true, true, true];

const DELIVERY_TYPES = WEBHOOK_EVENT_TYPES.filter((t) => t.startsWith(DELIVERY_TOPIC_PREFIX));
const eventOf = <T extends z.ZodType, D extends z.ZodType>(type: T, data: D) => z.object({ type, timestamp: z.string().meta({ description: 'When it happened (ISO 8601).' }), data });
const WebhookEvent = z
  .union([
    eventOf(z.enum(DELIVERY_TYPES as [string, ...string[]]), DeliveryData),
    eventOf(z.literal('notification.accepted'), AcceptedData),
    eventOf(z.literal('approval.requested'), RequestedData),
    eventOf(z.literal('approval.decided'), DecidedData),
    eventOf(z.literal('notification.completed'), CompletedData),
  ])
  .meta({ id: 'WebhookEvent', description: 'The JSON body of a webhook request (Standard Webhooks: `{ type, timestamp, data }`); `webhook-id` is the event id.' });

const Delivery = z
  .object({
    id: z.string(),
    eventId: z.string().meta({ description: 'The `webhook-id` header: the same for every attempt and redelivery of the event.' }),
    type: EventType,
    eventAt: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    body: z.string().meta({ description: 'The JSON body as sent: `{ type, timestamp, data }`.' }),
    event: WebhookEvent,
  })
  .meta({ id: 'WebhookDelivery' });

const Redelivery = z
  .union([z.object({ eventId: z.string().min(1).max(256) }).strict(), z.object({ from: IsoDateTime, to: IsoDateTime }).strict()])
  .meta({ id: 'WebhookRedelivery', description: 'One event by its id, or every event of the endpoint in [from, to).' });

const Cursor = Pagination.extend({ cursor: z.string().regex(/^\d{1,18}$/, 'not a cursor from this list').optional() });

/** A newest-first page read with one row more than `limit`, which says whether another page follows. */
function pageOf<R extends { id: string }, T>(rows: R[], limit: number, present: (r: R) => T): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { items: page.map(present), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

function present(e: WebhookEndpointRow): z.infer<typeof Endpoint> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.event_types as z.infer<typeof EventType>[],
    enabled: e.enabled,
    disabledReason: e.disabled_reason,
    failingSince: e.failing_since?.toISOString() ?? null,
    previousSecretExpiresAt: e.previous_secret_sealed && e.previous_expires_at ? e.previous_expires_at.toISOString() : null,
    createdAt: e.created_at.toISOString(),
    updatedAt: e.updated_at.toISOString(),
  };
}

export function webhookRoutes(host: RouteHost, deps: AppDeps): void {
  const wd: WebhookDeps = { db: deps.db, secretBox: deps.secretBox, rotationGraceMs: deps.webhookRotationGraceMs ?? DEFAULT_ROTATION_GRACE_MS };
  const tag = 'Webhooks';

  defineRoute(host, {
    method: 'post',
    path: '/v1/webhooks',
    summary: 'Subscribe an endpoint to events (the signing secret is in this answer only)',
    tag,
    scope: 'manage',
    body: EndpointRequest,
    errors: [422],
    responses: { 201: { description: 'Created', schema: WithSecret } },
    async handler({ res, body, auth }) {
      const { row, secret } = await createEndpoint(wd, auth, body);
      res.status(201).json({ ...present(row), secret });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/webhooks',
    summary: "This tenant's webhook endpoints",
    tag,
    scope: 'read',
    responses: { 200: { description: 'Endpoints', schema: z.object({ items: z.array(Endpoint) }) } },
    async handler({ res, auth }) {
      res.json({ items: (await listWebhookEndpoints(deps.db, auth.tenantId)).map(present) });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/webhooks/{id}',
    summary: 'One webhook endpoint',
    tag,
    scope: 'read',
    params: IdParam,
    errors: [404],
    responses: { 200: { description: 'The endpoint', schema: Endpoint } },
    async handler({ res, params, auth }) {
      res.json(present(await loadEndpoint(deps.db, auth.tenantId, params.id)));
    },
  });

  defineRoute(host, {
    method: 'patch',
    path: '/v1/webhooks/{id}',
    summary: 'Change the URL, event types, description or enabled flag',
    tag,
    scope: 'manage',
    params: IdParam,
    body: EndpointPatch,
    errors: [404, 422],
    responses: { 200: { description: 'Changed', schema: Endpoint } },
    async handler({ res, params, body, auth }) {
      res.json(present(await changeEndpoint(wd, auth, params.id, body)));
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/webhooks/{id}',
    summary: 'Remove an endpoint (its pending deliveries go with it)',
    tag,
    scope: 'manage',
    params: IdParam,
    errors: [404],
    responses: { 204: { description: 'Removed' } },
    async handler({ res, params, auth }) {
      await removeEndpoint(wd, auth, params.id);
      res.status(204).end();
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/webhooks/{id}/rotate-secret',
    summary: 'A new signing secret (shown once); the old one keeps signing beside it for a grace period',
    tag,
    scope: 'manage',
    params: IdParam,
    errors: [404, 422],
    responses: { 200: { description: 'Rotated', schema: WithSecret } },
    async handler({ res, params, auth }) {
      const { row, secret } = await rotateSecret(wd, auth, params.id);
      res.json({ ...present(row), secret });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/webhooks/{id}/deliveries',
    summary: "The endpoint's events and where each stands (newest first)",
    tag,
    scope: 'read',
    params: IdParam,
    query: Cursor,
    errors: [404],
    responses: { 200: { description: 'Deliveries', schema: listOf(Delivery) } },
    async handler({ res, params, query, auth }) {
      await loadEndpoint(deps.db, auth.tenantId, params.id);
      const rows = await listWebhookDeliveries(deps.db, params.id, { limit: query.limit + 1, before: query.cursor });
      res.json(
        pageOf(rows, query.limit, (d) => ({
          id: d.id,
          eventId: d.event_id,
          type: d.topic as z.infer<typeof EventType>,
          eventAt: d.event_at.toISOString(),
          status: d.status,
          attempts: d.attempts,
          nextAttemptAt: d.status === 'pending' ? d.next_attempt_at.toISOString() : null,
          deliveredAt: d.delivered_at?.toISOString() ?? null,
          body: d.body,
          // Written by webhookBody (domain/events/payloads.ts) from the same payload types.
          event: JSON.parse(d.body) as z.infer<typeof WebhookEvent>,
        })),
      );
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/webhooks/{id}/attempts',
    summary: 'Every attempt to reach the endpoint: status, latency, answer excerpt (newest first)',
    tag,
    scope: 'read',
    params: IdParam,
    query: Cursor,
    errors: [404],
    responses: { 200: { description: 'Attempts', schema: listOf(Attempt) } },
    async handler({ res, params, query, auth }) {
      await loadEndpoint(deps.db, auth.tenantId, params.id);
      const rows = await listWebhookAttempts(deps.db, params.id, { limit: query.limit + 1, before: query.cursor });
      res.json(pageOf(rows, query.limit, (a) => ({ id: a.id, eventId: a.event_id, at: a.at.toISOString(), statusCode: a.status_code, latencyMs: a.latency_ms, error: a.error, responseExcerpt: a.response_excerpt })));
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/webhooks/{id}/redeliver',
    summary: 'Send one event, or every event of a time range, again (same webhook-id)',
    tag,
    scope: 'manage',
    params: IdParam,
    body: Redelivery,
    errors: [404, 422],
    responses: { 202: { description: 'Queued', schema: z.object({ queued: z.number().int() }).meta({ id: 'WebhookRedeliveryResult' }) } },
    async handler({ res, params, body, auth }) {
      const which = 'eventId' in body ? { eventId: body.eventId } : { from: new Date(body.from), to: new Date(body.to) };
      res.status(202).json({ queued: await redeliver(wd, auth, params.id, which) });
    },
  });
}
