import { z } from 'zod';
import { putUser, removeUser } from '../../domain/recipients/users.js';
import { membershipsOf } from '../../schema/queries/memberships.js';
import { findUser, listUsers } from '../../schema/queries/users.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { presentUser } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf, Pagination, User, UserRequest } from '../schemas.js';

const UserIdParam = z.object({ id: ClientId });
const UserListQuery = Pagination.extend({
  group: ClientId.optional().meta({ description: 'Only members of this group.' }),
  module: ClientId.optional().meta({ description: 'Only members of this module.' }),
});

export function userRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'put',
    path: '/v1/users/{id}',
    summary: 'Create or replace a recipient (id chosen by the client): profile, identities, groups and modules',
    tag: 'Recipients',
    scope: 'manage',
    params: UserIdParam,
    body: UserRequest,
    // 422: a web push endpoint that is not https, or a literal private IP the tenant has not allowlisted.
    errors: [409, 422],
    responses: { 200: { description: 'Replaced', schema: User }, 201: { description: 'Created', schema: User } },
    async handler({ res, params, body, auth }) {
      const { row, created, groups, modules } = await putUser(deps.db, auth, params.id, body);
      res.status(created ? 201 : 200).json(presentUser(row, { groups, modules }));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/users/{id}',
    summary: 'Get a recipient',
    tag: 'Recipients',
    scope: 'read',
    params: UserIdParam,
    errors: [404],
    responses: { 200: { description: 'The user', schema: User } },
    async handler({ res, params, auth }) {
      const row = await findUser(deps.db, auth.tenantId, params.id);
      if (!row) throw notFound('user');
      const m = await membershipsOf(deps.db, auth.tenantId, [row.id]);
      res.json(presentUser(row, m.get(row.id)));
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/users/{id}',
    summary: 'Delete a recipient with their memberships, preferences and unsubscribes',
    tag: 'Recipients',
    scope: 'manage',
    params: UserIdParam,
    errors: [404, 409],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      await removeUser(deps.db, auth, params.id);
      res.status(204).end();
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/users',
    summary: 'List recipients by id (cursor = the last id of the previous page)',
    tag: 'Recipients',
    scope: 'read',
    query: UserListQuery,
    responses: { 200: { description: 'A page of users', schema: listOf(User) } },
    async handler({ res, query, auth }) {
      const db = deps.dbRead ?? deps.db;
      const rows = await listUsers(db, auth.tenantId, { group: query.group, module: query.module }, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      const m = await membershipsOf(db, auth.tenantId, page.map((r) => r.id));
      res.json({ items: page.map((r) => presentUser(r, m.get(r.id))), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null });
    },
  });
}
