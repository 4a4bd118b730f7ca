// The delivery log: every delivery of the tenant across notifications, searchable by user,
// address, channel, status, provider and time, and one user's whole history.
import { z } from 'zod';
import { searchDeliveryLog, userDeliveryHistory } from '../../domain/delivery/history.js';
import type { DeliveryLogRow } from '../../schema/queries/deliveries.js';
import { DELIVERY_STATUSES } from '../../schema/tables/statuses.js';
import type { AppDeps } from '../deps.js';
import { presentDelivery } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId, Delivery, IsoDateTime, listOf, Pagination } from '../schemas.js';

const DeliveryLogEntry = Delivery.extend({
  notificationId: z.string(),
  template: z.string().meta({ description: 'The template key of the notification.' }),
  updatedAt: z.string(),
}).meta({ id: 'DeliveryLogEntry' });

const HistoryFilters = {
  channel: ChannelName.optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  provider: z.string().min(1).max(128).optional().meta({ description: 'The provider id that sent (or last tried) it.' }),
  from: IsoDateTime.optional().meta({ description: 'Created at or after.' }),
  to: IsoDateTime.optional().meta({ description: 'Created before.' }),
};

const SearchQuery = Pagination.extend({
  userId: ClientId.optional(),
  address: z.string().min(1).max(512).optional().meta({ description: 'Where it went, matched whole and case-insensitively: an email address, an E.164 phone number, a chat id.' }),
  ...HistoryFilters,
});
const UserHistoryQuery = Pagination.extend(HistoryFilters);

function presentEntry(d: DeliveryLogRow): z.infer<typeof DeliveryLogEntry> {
  return { ...presentDelivery(d), notificationId: d.notification_id, template: d.template_key, updatedAt: d.updated_at.toISOString() };
}

const dates = (q: { from?: string | undefined; to?: string | undefined }) => ({ from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });

export function deliveryRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'get',
    path: '/v1/deliveries',
    summary: 'Search deliveries across notifications (the delivery log), newest first',
    tag: 'Notifications',
    scope: 'read',
    query: SearchQuery,
    responses: { 200: { description: 'A page of deliveries, each with its reason when suppressed or failed', schema: listOf(DeliveryLogEntry) } },
    async handler({ res, query, auth }) {
      const { limit, cursor, from, to, ...filters } = query;
      // A log may lag a moment on a replica.
      const page = await searchDeliveryLog(deps.dbRead ?? deps.db, auth, { ...filters, ...dates({ from, to }) }, { limit, cursor });
      res.json({ items: page.items.map(presentEntry), nextCursor: page.nextCursor });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/users/{id}/deliveries',
    summary: 'Everything one user was sent or not sent (single and bulk), newest first',
    tag: 'Recipients',
    scope: 'read',
    params: z.object({ id: ClientId }),
    query: UserHistoryQuery,
    responses: { 200: { description: 'A page of the user’s deliveries; empty for an id the tenant never sent to', schema: listOf(DeliveryLogEntry) } },
    async handler({ res, params, query, auth }) {
      const { limit, cursor, from, to, ...filters } = query;
      const page = await userDeliveryHistory(deps.dbRead ?? deps.db, auth, params.id, { ...filters, ...dates({ from, to }) }, { limit, cursor });
      res.json({ items: page.items.map(presentEntry), nextCursor: page.nextCursor });
    },
  });
}
