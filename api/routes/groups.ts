// Groups and modules: named sets of users that a bulk notification can target.
import { z } from 'zod';
import { putSet, removeSet } from '../../domain/recipients/sets.js';
import { countMembers, findSet, listSets, type SetKind, type SetRow } from '../../schema/queries/memberships.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { SetRequest, SetResponse } from '../recipient-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf, Pagination } from '../schemas.js';

const SetIdParam = z.object({ id: ClientId });

function present(row: SetRow, members: number): z.infer<typeof SetResponse> {
  return { id: row.id, name: row.name, description: row.description, members, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

function setRoutes(host: RouteHost, deps: AppDeps, kind: SetKind): void {
  const plural = kind === 'group' ? 'groups' : 'modules';
  defineRoute(host, {
    method: 'put',
    path: `/v1/${plural}/{id}`,
    summary: `Create or replace a ${kind} (id chosen by the client); members are set on the users`,
    tag: 'Recipients',
    scope: 'manage',
    params: SetIdParam,
    body: SetRequest,
    errors: [409],
    responses: { 200: { description: 'Replaced', schema: SetResponse }, 201: { description: 'Created', schema: SetResponse } },
    async handler({ res, params, body, auth }) {
      const { row, created } = await putSet(deps.db, auth, kind, params.id, body);
      res.status(created ? 201 : 200).json(present(row, await countMembers(deps.db, kind, auth.tenantId, row.id)));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: `/v1/${plural}`,
    summary: `List ${plural} with their member counts`,
    tag: 'Recipients',
    scope: 'read',
    query: Pagination,
    responses: { 200: { description: `A page of ${plural}`, schema: listOf(SetResponse) } },
    async handler({ res, query, auth }) {
      const rows = await listSets(deps.dbRead ?? deps.db, kind, auth.tenantId, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({ items: page.map((r) => present(r, r.members)), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: `/v1/${plural}/{id}`,
    summary: `Get a ${kind}`,
    tag: 'Recipients',
    scope: 'read',
    params: SetIdParam,
    errors: [404],
    responses: { 200: { description: `The ${kind}`, schema: SetResponse } },
    async handler({ res, params, auth }) {
      const row = await findSet(deps.db, kind, auth.tenantId, params.id);
      if (!row) throw notFound(kind);
      res.json(present(row, await countMembers(deps.db, kind, auth.tenantId, row.id)));
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: `/v1/${plural}/{id}`,
    summary: `Delete a ${kind} and its memberships (the users stay)`,
    tag: 'Recipients',
    scope: 'manage',
    params: SetIdParam,
    errors: [404, 409],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      await removeSet(deps.db, auth, kind, params.id);
      res.status(204).end();
    },
  });
}

export function groupRoutes(host: RouteHost, deps: AppDeps): void {
  setRoutes(host, deps, 'group');
  setRoutes(host, deps, 'module');
}
