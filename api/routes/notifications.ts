import { z } from 'zod';
import { removeFinished } from '../../domain/notifications/control.js';
import { loadNotification } from '../../domain/notifications/lookup.js';
import { recallNotification } from '../../domain/notifications/recall.js';
import { createRuns } from '../../domain/runs/runs.js';
import { NOTIFICATION_STATUSES } from '../../schema/tables/statuses.js';
import { countDeliveries, countDeliveriesMany, emptyCounts, listNotifications } from '../../schema/queries/notifications.js';
import { listDeliveries } from '../../schema/queries/deliveries.js';
import type { AppDeps } from '../deps.js';
import { presentDelivery, presentNotification } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId, Delivery, IdParam, IsoDateTime, listOf, Notification, NotificationRequest, Pagination, Priority } from '../schemas.js';
import { submitNotification } from '../../domain/notifications/accept.js';
import { BATCH_MAX, submitBatch } from '../../domain/notifications/batch.js';
import { ErrorBody, errorBodyOf, HttpError, httpErrorOf } from '../errors.js';
import { requestIdOf } from '../request-id.js';
import { apiTracker } from '../tracking.js';
import type { VariableValidator } from '../../domain/templates/variables.js';
import type { ProviderKinds } from '../../domain/providers/configs.js';

const ListQuery = Pagination.extend({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  priority: Priority.optional(),
  channel: ChannelName.optional(),
  category: z.string().min(1).max(64).optional(),
  template: ClientId.optional(),
  userId: ClientId.optional().meta({ description: 'Named in `to.userIds`, or reached by the notification (a delivery row), so bulk sends to groups, modules, segments and everyone count too.' }),
  group: ClientId.optional().meta({ description: 'The notification targets this group (`to.groups`).' }),
  module: ClientId.optional().meta({ description: 'The notification targets this module (`to.modules`).' }),
  from: IsoDateTime.optional().meta({ description: 'Created at or after.' }),
  to: IsoDateTime.optional().meta({ description: 'Created before.' }),
  q: z.string().min(1).max(200).optional().meta({ description: 'Free text over id, template, idempotency key and data.' }),
});

// Items are parsed one by one in the handler, so a malformed item is refused alone (its own 400
// in the 207's results) and the others still go. The documented body says so: an item is any
// object, and those a BatchNotificationRequest admits can be accepted. Items documented as
// BatchNotificationRequest alone would call invalid a request the API rightly answers with 207
// (schemathesis's negative_data_rejection found that); only a body that is no such list is a 400.
const BatchItem = NotificationRequest.extend({ idempotencyKey: z.string().min(1).max(255).meta({ description: 'Required in a batch: it makes retrying the whole batch safe.' }) });
const BatchRequest = z.object({ notifications: z.array(z.looseObject({})).min(1).max(BATCH_MAX) }).strict();
const BatchRequestDocumented = z
  .object({
    notifications: z
      .array(z.union([BatchItem.meta({ id: 'BatchNotificationRequest' }), z.looseObject({})]))
      .min(1)
      .max(BATCH_MAX)
      .meta({ description: 'Each a BatchNotificationRequest. Any other object is refused on its own (its result a `400` naming what is wrong) and the other items go on.' }),
  })
  .strict()
  .meta({ id: 'BatchRequest' });
const BatchItemResult = z.object({
  index: z.number().int().meta({ description: 'The position of the item in `notifications`.' }),
  status: z.number().int().meta({ description: '202 accepted, or the HTTP status of this item’s error.' }),
  notification: Notification.optional(),
  error: ErrorBody.shape.error.optional(),
});
const BatchResult = z
  .object({ accepted: z.number().int(), refused: z.number().int(), results: z.array(BatchItemResult) })
  .meta({ id: 'BatchResult' });

export function notificationRoutes(host: RouteHost, deps: AppDeps, variables: VariableValidator, kinds: Pick<ProviderKinds, 'recallKinds'>): void {
  const temporalView = { uiUrl: deps.temporal.uiUrl, namespace: deps.temporal.namespace };
  const recallDeps = { db: deps.db, tracker: apiTracker(deps), runs: createRuns({ ...deps.temporal, timings: deps.timings }), recallKinds: kinds.recallKinds, waitMs: deps.timings.recallWaitMs };

  defineRoute(host, {
    method: 'post',
    path: '/v1/notifications',
    summary: 'Send a notification',
    tag: 'Notifications',
    scope: 'send',
    body: NotificationRequest,
    errors: [409, 422],
    idempotency: { bodyField: 'idempotencyKey' },
    responses: {
      202: { description: 'Accepted: a workflow now carries the notification. A replay of an idempotent request returns the original.', schema: Notification },
    },
    async handler({ res, body, auth }) {
      const { row, created } = await submitNotification(deps, auth, variables, body);
      // The row is the one just inserted (status scheduled or pending approval): nothing has
      // been delivered in that state, so only a replayed request's counts need reading.
      const counts = created ? emptyCounts() : await countDeliveries(deps.db, row.id);
      res.status(202).json(presentNotification(row, counts, temporalView));
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/notifications/batch',
    summary: 'Send up to 1,000 different notifications, each accepted or refused on its own',
    tag: 'Notifications',
    scope: 'send',
    body: BatchRequest,
    documentedBody: BatchRequestDocumented,
    responses: {
      207: {
        description:
          'One result per item, in order: `202` with the notification (the original one when its idempotencyKey was used before with the same body), or the error that item alone would have got (`400`, `409`, `422`, `429`, `503`). Accepted items are stored and their runs started whatever happens to the others; retry items that got `503` (or the whole batch: the keys make it safe).',
        schema: BatchResult,
      },
    },
    async handler({ req, res, body, auth }) {
      const parsed = body.notifications.map((item) => BatchItem.safeParse(item));
      const valid = parsed.flatMap((p, index) => (p.success ? [{ index, item: p.data }] : []));
      const outcomes = await submitBatch(deps, auth, variables, valid.map((v) => v.item));
      const results: z.infer<typeof BatchItemResult>[] = parsed.map((p, index) =>
        p.success ? { index, status: 0 } : { index, ...refused(new HttpError(400, 'invalid_request', `notifications[${index}] is invalid`, p.error.issues.map((i) => ({ in: 'body', path: ['notifications', index, ...i.path].join('.'), message: i.message })))) },
      );
      for (const [k, outcome] of outcomes.entries()) {
        const index = (valid[k] as { index: number }).index;
        if (!outcome.ok) {
          results[index] = { index, ...refused(httpErrorOf(outcome.error, deps.logger, req)) };
          continue;
        }
        const counts = outcome.created ? emptyCounts() : await countDeliveries(deps.db, outcome.row.id);
        results[index] = { index, status: 202, notification: presentNotification(outcome.row, counts, temporalView) };
      }
      if (results.some((r) => r.status === 503)) res.setHeader('Retry-After', '5');
      res.status(207).json({ accepted: results.filter((r) => r.status === 202).length, refused: results.filter((r) => r.status !== 202).length, results });

      function refused(e: HttpError): Omit<z.infer<typeof BatchItemResult>, 'index'> {
        return { status: e.status, error: errorBodyOf(e, requestIdOf(req)).error };
      }
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/notifications',
    summary: 'List notifications, newest first, with filters',
    tag: 'Notifications',
    scope: 'read',
    query: ListQuery,
    responses: { 200: { description: 'A page of notifications', schema: listOf(Notification) } },
    async handler({ res, query, auth }) {
      const { limit, cursor, from, to, ...filters } = query;
      // Lists may lag a moment on a replica; GET by id stays on the primary (read-your-writes).
      const rows = await listNotifications(
        deps.dbRead ?? deps.db,
        auth.tenantId,
        { ...filters, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
        { limit: limit + 1, before: cursor },
      );
      const page = rows.slice(0, limit);
      const counts = await countDeliveriesMany(deps.dbRead ?? deps.db, page.map((r) => r.id));
      res.json({
        items: page.map((r) => presentNotification(r, counts.get(r.id) ?? emptyCounts(), temporalView)),
        nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      });
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/notifications/{id}',
    summary: 'Remove a finished notification from lists (the audit log keeps it)',
    tag: 'Notifications',
    scope: 'send',
    params: IdParam,
    errors: [404, 409],
    responses: { 204: { description: 'Removed from lists' } },
    async handler({ res, params, auth }) {
      await removeFinished(deps.db, auth, params.id);
      res.status(204).end();
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/notifications/{id}/recall',
    summary: 'Take back messages already sent: in-app, and those sent through providers that can recall (DingTalk work notices, WeCom app messages)',
    tag: 'Notifications',
    scope: 'send',
    params: IdParam,
    errors: [404, 503],
    responses: {
      200: {
        description:
          'What was recalled, and what could not be. In-app messages leave the inbox at once; messages sent through a provider that can recall are taken back by a durable workflow on the high-priority queue (retried while the provider fails for the moment). The answer waits up to `HERALD_RECALL_WAIT_MS` (15 s by default) for it, then counts what is still `recalling`. Recalled deliveries become `recalled` (on the timeline too); `notRecallable` counts what stays sent per channel, `failures` gives the provider’s reason for each refusal.',
        schema: z
          .object({
            recalled: z.number().int(),
            notRecallable: z.array(z.object({ channel: z.string(), count: z.number().int() })),
            recalling: z.number().int().meta({ description: 'Deliveries the recall workflow was still working on when this answer was sent.' }),
            failures: z.array(z.object({ deliveryId: z.string(), channel: z.string(), provider: z.string(), reason: z.string() })).meta({ description: 'Deliveries a provider refused to recall (at most 100).' }),
            workflow: z.object({ workflowId: z.string(), temporalUiUrl: z.string() }).nullable(),
          })
          .meta({ id: 'RecallResult' }),
      },
    },
    async handler({ res, params, auth }) {
      res.json(await recallNotification(recallDeps, auth, params.id));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/notifications/{id}',
    summary: 'Get a notification with its delivery counts and Temporal run',
    tag: 'Notifications',
    scope: 'read',
    params: IdParam,
    errors: [404],
    responses: { 200: { description: 'The notification', schema: Notification } },
    async handler({ res, params, auth }) {
      const row = await loadNotification(deps.db, auth.tenantId, params.id);
      res.json(presentNotification(row, await countDeliveries(deps.db, row.id), temporalView));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/notifications/{id}/deliveries',
    summary: 'One row per recipient × channel, with the reason for anything not sent',
    tag: 'Notifications',
    scope: 'read',
    params: IdParam,
    query: Pagination,
    errors: [404],
    responses: { 200: { description: 'Deliveries, oldest first', schema: listOf(Delivery) } },
    async handler({ res, params, query, auth }) {
      const row = await loadNotification(deps.db, auth.tenantId, params.id);
      const rows = await listDeliveries(deps.db, auth.tenantId, row.id, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({ items: page.map(presentDelivery), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null });
    },
  });
}

