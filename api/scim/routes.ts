// The SCIM 2.0 service provider (RFC 7644) under /scim/v2: how Okta, Entra ID and other
// identity providers create, update, deactivate and delete Herald users and groups.
import { z } from 'zod';
import { parseFilter, ScimFilterError } from '../../domain/directory/scim-filter.js';
import type { ScimFilter } from '../../schema/queries/scim-filter-tree.js';
import {
  createScimGroup,
  createScimUser,
  deleteScimGroup,
  deleteScimUser,
  loadScimGroup,
  loadScimUser,
  patchScimGroup,
  patchScimUser,
  replaceScimGroup,
  replaceScimUser,
  type ScimGroupFields,
} from '../../domain/directory/scim.js';
import { checkGroupFilter, checkUserFilter, groupMembers, listScimGroups, listScimUsers, scimGroupsOf, UnsupportedFilterError } from '../../schema/queries/scim.js';
import type { UserRow } from '../../schema/tables/users.js';
import type { AppDeps } from '../deps.js';
import { authenticate, type RouteHost } from '../route.js';
import { isExcluded, selectAttributes } from './attributes.js';
import { MAX_RESULTS, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { ScimError, sendScimError } from './errors.js';
import { applyPatch } from './patch.js';
import {
  groupResource,
  LIST_SCHEMA,
  listResponseOf,
  ScimGroup,
  ScimGroupRequest,
  ScimPatchRequest,
  ScimUser,
  ScimUserRequest,
  userFields,
  userResource,
} from './resources.js';
import { defineScimRoute, sendScim } from './route.js';

const IdParam = z.object({ id: z.string().min(1).max(256) });
// `count=` (empty) is not 0: coercion alone would read it so; it is refused like any non-integer.
const QueryInteger = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int());
const ListQuery = z.object({
  filter: z.string().max(2000).optional().meta({ description: 'e.g. `userName eq "bjensen"`, `externalId eq "…"`, combined with and/or.' }),
  // RFC 7644 §3.4.2.4: startIndex below 1 means 1; count above the maximum means the maximum.
  startIndex: QueryInteger.optional().transform((v) => Math.max(1, v ?? 1)),
  count: QueryInteger.optional().transform((v) => Math.min(MAX_RESULTS, Math.max(0, v ?? 100))),
  attributes: z.string().max(2000).optional().meta({ description: 'Comma-separated attributes to return (with `id`, `schemas` and `meta`); `name.givenName` names a sub-attribute.' }),
  excludedAttributes: z.string().max(2000).optional().meta({ description: 'Comma-separated attributes to leave out.' }),
});
// Any response that returns a resource takes a partial representation (RFC 7644 §3.9).
const Selection = ListQuery.pick({ attributes: true, excludedAttributes: true });

const Discovery = z.record(z.string(), z.unknown()).meta({ id: 'ScimDiscoveryDocument' });

function filterOf(raw: string | undefined, check: (f: ScimFilter) => void): ScimFilter | undefined {
  if (!raw) return undefined;
  try {
    const f = parseFilter(raw);
    check(f);
    return f;
  } catch (err) {
    if (err instanceof ScimFilterError || err instanceof UnsupportedFilterError) throw new ScimError(400, 'invalidFilter', err.message);
    throw err;
  }
}

function parseBody<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ScimError(400, 'invalidValue', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

function groupFields(body: z.infer<typeof ScimGroupRequest>): ScimGroupFields {
  return { displayName: body.displayName, externalId: body.externalId, memberIds: (body.members ?? []).map((m) => m.value) };
}

export function scimRoutes(host: RouteHost, deps: AppDeps): void {
  const base = deps.publicUrl.replace(/\/$/, '');
  const logger = deps.logger;

  async function presentUser(row: UserRow) {
    const groups = await scimGroupsOf(deps.db, row.tenant_id, [row.id]);
    return userResource(row, groups.get(row.id) ?? [], base);
  }

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/ServiceProviderConfig',
    summary: 'SCIM service provider configuration (RFC 7644 §4)',
    responses: { 200: { description: 'What this service provider supports', schema: Discovery } },
    async handler({ res }) {
      sendScim(res, 200, serviceProviderConfig(base));
    },
  });

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/ResourceTypes',
    summary: 'SCIM resource types: User and Group',
    responses: { 200: { description: 'A ListResponse of resource types', schema: listResponseOf(Discovery, 'ScimResourceTypeList') } },
    async handler({ res }) {
      const all = resourceTypes(base);
      sendScim(res, 200, { schemas: [LIST_SCHEMA], totalResults: all.length, startIndex: 1, itemsPerPage: all.length, Resources: all });
    },
  });

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/ResourceTypes/{id}',
    summary: 'One SCIM resource type',
    params: IdParam,
    errors: [404],
    responses: { 200: { description: 'The resource type', schema: Discovery } },
    async handler({ res, params }) {
      const found = resourceTypes(base).find((r) => r.id === params.id);
      if (!found) throw new ScimError(404, null, `ResourceType ${params.id} not found`);
      sendScim(res, 200, found);
    },
  });

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/Schemas',
    summary: 'SCIM schemas of User and Group',
    responses: { 200: { description: 'A ListResponse of schemas', schema: listResponseOf(Discovery, 'ScimSchemaList') } },
    async handler({ res }) {
      const all = schemas(base);
      sendScim(res, 200, { schemas: [LIST_SCHEMA], totalResults: all.length, startIndex: 1, itemsPerPage: all.length, Resources: all });
    },
  });

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/Schemas/{id}',
    summary: 'One SCIM schema, by URN',
    params: IdParam,
    errors: [404],
    responses: { 200: { description: 'The schema', schema: Discovery } },
    async handler({ res, params }) {
      const found = schemas(base).find((s) => s.id === params.id);
      if (!found) throw new ScimError(404, null, `Schema ${params.id} not found`);
      sendScim(res, 200, found);
    },
  });

  // ---- Users ----

  defineScimRoute(host, logger, {
    method: 'post',
    path: '/scim/v2/Users',
    summary: 'Provision a user (RFC 7644 §3.3)',
    query: Selection,
    body: ScimUserRequest,
    errors: [409, 413],
    responses: { 201: { description: 'Created', schema: ScimUser } },
    async handler({ res, query, body, auth }) {
      const row = await createScimUser(deps.db, auth, userFields(body));
      const resource = await presentUser(row);
      sendScim(res, 201, selectAttributes(resource, query), (resource.meta as { location: string }).location);
    },
  });

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/Users',
    summary: 'List or filter users (`userName eq`, `externalId eq`, …), paged by startIndex/count',
    query: ListQuery,
    responses: { 200: { description: 'A ListResponse of users', schema: listResponseOf(ScimUser, 'ScimUserList') } },
    async handler({ res, query, auth }) {
      const filter = filterOf(query.filter, checkUserFilter);
      const { rows, total } = await listScimUsers(deps.db, auth.tenantId, filter, { offset: query.startIndex - 1, limit: query.count });
      const groups = isExcluded(query, 'groups') ? new Map<string, { id: string; name: string | null }[]>() : await scimGroupsOf(deps.db, auth.tenantId, rows.map((r) => r.id));
      const Resources = rows.map((r) => selectAttributes(userResource(r, groups.get(r.id) ?? [], base), query));
      sendScim(res, 200, { schemas: [LIST_SCHEMA], totalResults: total, startIndex: query.startIndex, itemsPerPage: Resources.length, Resources });
    },
  });

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/Users/{id}',
    summary: 'Get a user',
    params: IdParam,
    query: Selection,
    errors: [404],
    responses: { 200: { description: 'The user', schema: ScimUser } },
    async handler({ res, params, query, auth }) {
      sendScim(res, 200, selectAttributes(await presentUser(await loadScimUser(deps.db, auth.tenantId, params.id)), query));
    },
  });

  defineScimRoute(host, logger, {
    method: 'put',
    path: '/scim/v2/Users/{id}',
    summary: 'Replace a user',
    params: IdParam,
    query: Selection,
    body: ScimUserRequest,
    errors: [404, 409, 413],
    responses: { 200: { description: 'The user', schema: ScimUser } },
    async handler({ res, params, query, body, auth }) {
      const row = await replaceScimUser(deps.db, auth, params.id, userFields(body));
      sendScim(res, 200, selectAttributes(await presentUser(row), query));
    },
  });

  defineScimRoute(host, logger, {
    method: 'patch',
    path: '/scim/v2/Users/{id}',
    summary: 'Patch a user (add/remove/replace; `active: false` deactivates)',
    params: IdParam,
    query: Selection,
    body: ScimPatchRequest,
    errors: [404, 409, 413],
    responses: { 200: { description: 'The user', schema: ScimUser } },
    async handler({ res, params, query, body, auth }) {
      const current = await loadScimUser(deps.db, auth.tenantId, params.id);
      const { groups: _g, meta: _m, ...resource } = userResource(current, [], base);
      const patched = parseBody(ScimUserRequest, applyPatch(resource, body.Operations));
      const row = await patchScimUser(deps.db, auth, current, userFields(patched));
      sendScim(res, 200, selectAttributes(await presentUser(row), query));
    },
  });

  defineScimRoute(host, logger, {
    method: 'delete',
    path: '/scim/v2/Users/{id}',
    summary: 'Delete a user (its delivery history stays)',
    params: IdParam,
    errors: [404],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      await deleteScimUser(deps.db, auth, params.id);
      res.status(204).end();
    },
  });

  // ---- Groups ----

  defineScimRoute(host, logger, {
    method: 'post',
    path: '/scim/v2/Groups',
    summary: 'Provision a group with its members',
    query: Selection,
    body: ScimGroupRequest,
    errors: [413],
    responses: { 201: { description: 'Created', schema: ScimGroup } },
    async handler({ res, query, body, auth }) {
      const { row, members } = await createScimGroup(deps.db, auth, groupFields(body));
      const resource = groupResource(row, members, base);
      sendScim(res, 201, selectAttributes(resource, query), (resource.meta as { location: string }).location);
    },
  });

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/Groups',
    summary: 'List or filter groups (`displayName eq`, `externalId eq`), paged by startIndex/count',
    query: ListQuery,
    responses: { 200: { description: 'A ListResponse of groups', schema: listResponseOf(ScimGroup, 'ScimGroupList') } },
    async handler({ res, query, auth }) {
      const filter = filterOf(query.filter, checkGroupFilter);
      const { rows, total } = await listScimGroups(deps.db, auth.tenantId, filter, { offset: query.startIndex - 1, limit: query.count });
      // Identity providers list groups with excludedAttributes=members: large groups stay cheap.
      const withMembers = !isExcluded(query, 'members');
      const Resources = await Promise.all(rows.map(async (r) => selectAttributes(groupResource(r, withMembers ? await groupMembers(deps.db, auth.tenantId, r.id) : null, base), query)));
      sendScim(res, 200, { schemas: [LIST_SCHEMA], totalResults: total, startIndex: query.startIndex, itemsPerPage: Resources.length, Resources });
    },
  });

  defineScimRoute(host, logger, {
    method: 'get',
    path: '/scim/v2/Groups/{id}',
    summary: 'Get a group with its members',
    params: IdParam,
    query: Selection,
    errors: [404],
    responses: { 200: { description: 'The group', schema: ScimGroup } },
    async handler({ res, params, query, auth }) {
      const row = await loadScimGroup(deps.db, auth.tenantId, params.id);
      sendScim(res, 200, selectAttributes(groupResource(row, isExcluded(query, 'members') ? null : await groupMembers(deps.db, auth.tenantId, row.id), base), query));
    },
  });

  defineScimRoute(host, logger, {
    method: 'put',
    path: '/scim/v2/Groups/{id}',
    summary: 'Replace a group, members included',
    params: IdParam,
    query: Selection,
    body: ScimGroupRequest,
    errors: [404, 413],
    responses: { 200: { description: 'The group', schema: ScimGroup } },
    async handler({ res, params, query, body, auth }) {
      const { row, members } = await replaceScimGroup(deps.db, auth, params.id, groupFields(body));
      sendScim(res, 200, selectAttributes(groupResource(row, members, base), query));
    },
  });

  defineScimRoute(host, logger, {
    method: 'patch',
    path: '/scim/v2/Groups/{id}',
    summary: 'Patch a group: rename, add or remove members',
    params: IdParam,
    query: Selection,
    body: ScimPatchRequest,
    errors: [404, 413],
    responses: { 200: { description: 'The group', schema: ScimGroup } },
    async handler({ res, params, query, body, auth }) {
      const current = await loadScimGroup(deps.db, auth.tenantId, params.id);
      const { meta: _m, ...resource } = groupResource(current, await groupMembers(deps.db, auth.tenantId, current.id), base);
      const patched = parseBody(ScimGroupRequest, applyPatch(resource, body.Operations));
      const { row, members } = await patchScimGroup(deps.db, auth, params.id, groupFields(patched));
      sendScim(res, 200, selectAttributes(groupResource(row, members, base), query));
    },
  });

  defineScimRoute(host, logger, {
    method: 'delete',
    path: '/scim/v2/Groups/{id}',
    summary: 'Delete a group (its users stay)',
    params: IdParam,
    errors: [404],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      await deleteScimGroup(deps.db, auth, params.id);
      res.status(204).end();
    },
  });

  // Searching several resource types at once (RFC 7644 §3.4.3) is not implemented: 501, as
  // RFC 7644 §3.12 says. Kept out of /openapi.json, which declares no 5xx an operation means to give.
  host.router.post('/scim/v2/.search', async (req, res) => {
    try {
      await authenticate(req, host.keys);
      throw new ScimError(501, null, 'searching several resource types at once is not supported; use GET /scim/v2/Users or /scim/v2/Groups with a filter');
    } catch (err) {
      sendScimError(res, err, logger);
    }
  });

  // Anything else under /scim is a SCIM 404, not Herald's.
  host.router.use('/scim', (req, res) => sendScimError(res, new ScimError(404, null, `no SCIM endpoint ${req.method} ${req.originalUrl.split('?')[0]}`), logger));
}
