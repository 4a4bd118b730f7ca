import { z } from 'zod';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { membershipsOf, replaceMemberships } from '../../schema/queries/memberships.js';
import { directoryGroupIds, sourceOf } from '../../schema/queries/scim.js';
import { deleteUser, findUser, listUsers, upsertUser } from '../../schema/queries/users.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { presentUser } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf, Pagination, User, UserRequest } from '../schemas.js';

const UserIdParam = z.object({ id: ClientId });
const UserListQuery = Pagination.extend({
  group: ClientId.optional().meta({ description: 'Only members of this group.' }),
  module: ClientId.optional().meta({ description: 'Only members of this module.' }),
});

export function userRoutes(host: RouteHost, deps: AppDeps): void {
  /** SCIM and LDAP users change only through their directory, so the two sources never fight over a row. */
  async function refuseDirectoryUser(tenantId: string, id: string): Promise<void> {
    const source = await sourceOf(deps.db, 'user', tenantId, id);
    if (source && source !== 'api') throw new HttpError(409, 'directory_managed', `user ${id} is managed by ${source === 'scim' ? 'SCIM' : 'the LDAP directory sync'}; change it there`);
  }

  defineRoute(host, {
    method: 'put',
    path: '/v1/users/{id}',
    summary: 'Create or replace a recipient (id chosen by the client): profile, identities, groups and modules',
    tag: 'Recipients',
    scope: 'manage',
    params: UserIdParam,
    body: UserRequest,
    errors: [409],
    responses: { 200: { description: 'Replaced', schema: User }, 201: { description: 'Created', schema: User } },
    async handler({ res, params, body, auth }) {
      await refuseDirectoryUser(auth.tenantId, params.id);
      const groups = [...new Set(body.groups ?? [])];
      // Membership of a directory group is the directory's to decide: the next sync would undo it.
      const managed = await directoryGroupIds(deps.db, auth.tenantId, groups);
      if (managed.length > 0) throw new HttpError(409, 'directory_managed', `groups ${managed.join(', ')} are managed by the directory`, managed.map((id) => ({ group: id })));
      const modules = [...new Set(body.modules ?? [])];
      const { row, created } = await deps.db.transaction().execute(async (tx) => {
        const r = await upsertUser(tx, {
          tenant_id: auth.tenantId,
          id: params.id,
          name: body.name ?? null,
          email: body.email?.toLowerCase() ?? null,
          phone: body.phone ?? null,
          locale: body.locale ?? null,
          timezone: body.timezone ?? null,
          identities: JSON.stringify(body.identities ?? {}),
          attributes: JSON.stringify(body.attributes ?? {}),
        });
        // PUT replaces the whole recipient, memberships included.
        await replaceMemberships(tx, 'group', auth.tenantId, new Map([[params.id, groups]]));
        await replaceMemberships(tx, 'module', auth.tenantId, new Map([[params.id, modules]]));
        return r;
      });
      res.status(created ? 201 : 200).json(presentUser(row, { groups: groups.sort(), modules: modules.sort() }));
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
      await refuseDirectoryUser(auth.tenantId, params.id);
      if (!(await deleteUser(deps.db, auth.tenantId, params.id))) throw notFound('user');
      await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'user.delete', targetType: 'user', targetId: params.id });
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
