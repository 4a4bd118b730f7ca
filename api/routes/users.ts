import { findUser, upsertUser } from '../../schema/queries/users.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { presentUser } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, User, UserRequest } from '../schemas.js';
import { z } from 'zod';

const UserIdParam = z.object({ id: ClientId });

export function userRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'put',
    path: '/v1/users/{id}',
    summary: 'Create or replace a recipient (id chosen by the client)',
    tag: 'Recipients',
    scope: 'manage',
    params: UserIdParam,
    body: UserRequest,
    responses: { 200: { description: 'Replaced', schema: User }, 201: { description: 'Created', schema: User } },
    async handler({ res, params, body, auth }) {
      const { row, created } = await upsertUser(deps.db, {
        tenant_id: auth.tenantId,
        id: params.id,
        name: body.name ?? null,
        email: body.email?.toLowerCase() ?? null,
        phone: body.phone ?? null,
        locale: body.locale ?? null,
        timezone: body.timezone ?? null,
        identities: JSON.stringify({}),
        attributes: JSON.stringify(body.attributes ?? {}),
      });
      res.status(created ? 201 : 200).json(presentUser(row));
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
      res.json(presentUser(row));
    },
  });
}
