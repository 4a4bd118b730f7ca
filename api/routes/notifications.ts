import { countDeliveries, findNotification } from '../../schema/queries/notifications.js';
import { listDeliveries } from '../../schema/queries/deliveries.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { presentDelivery, presentNotification } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { Delivery, IdParam, listOf, Notification, NotificationRequest, Pagination } from '../schemas.js';
import { submitNotification } from '../submit-notification.js';

export function notificationRoutes(host: RouteHost, deps: AppDeps): void {
  const temporalView = { uiUrl: deps.temporal.uiUrl, namespace: deps.temporal.namespace };

  defineRoute(host, {
    method: 'post',
    path: '/v1/notifications',
    summary: 'Send a notification',
    tag: 'Notifications',
    scope: 'send',
    body: NotificationRequest,
    errors: [409, 422],
    responses: {
      202: { description: 'Accepted: a workflow now carries the notification. A replay of an idempotent request returns the original.', schema: Notification },
    },
    async handler({ res, body, auth }) {
      const { row } = await submitNotification(deps, auth, body);
      const counts = await countDeliveries(deps.db, row.id);
      res.status(202).json(presentNotification(row, counts, temporalView));
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
      const row = await findNotification(deps.db, auth.tenantId, params.id);
      if (!row) throw notFound('notification');
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
      const row = await findNotification(deps.db, auth.tenantId, params.id);
      if (!row) throw notFound('notification');
      const rows = await listDeliveries(deps.db, auth.tenantId, row.id, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({ items: page.map(presentDelivery), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null });
    },
  });
}

