import { countDeliveries } from '../../schema/queries/notifications.js';
import { findTemplate, findTemplateVersion, listTemplates, listTemplateVersions } from '../../schema/queries/templates.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { presentNotification, presentTemplate, presentTemplateVersion } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import {
  KeyParam,
  listOf,
  Notification,
  Pagination,
  PreviewRequest,
  RollbackRequest,
  Template,
  TemplatePreview,
  TemplateRequest,
  TemplateVersion,
  TemplateVersionDetail,
  TestSendRequest,
  VersionParam,
} from '../schemas.js';
import { previewTemplate, publishTemplate, removeTemplate, rollbackTemplate, saveDraft } from '../../domain/templates/manage.js';
import type { TemplateTools } from '../../domain/templates/service.js';
import { sendTest } from '../../domain/templates/test-send.js';

export function templateRoutes(host: RouteHost, deps: AppDeps, tools: TemplateTools): void {
  defineRoute(host, {
    method: 'put',
    path: '/v1/templates/{key}',
    summary: "Create or replace a template's draft",
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    body: TemplateRequest,
    errors: [422],
    responses: { 200: { description: 'Draft replaced', schema: Template }, 201: { description: 'Created', schema: Template } },
    async handler({ res, params, body, auth }) {
      const { row, created } = await saveDraft(deps.db, tools, auth, params.key, body);
      res.status(created ? 201 : 200).json(presentTemplate(row));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/templates',
    summary: 'List templates by key',
    tag: 'Templates',
    scope: 'read',
    query: Pagination,
    responses: { 200: { description: 'Templates ordered by key; pass nextCursor as cursor for the next page', schema: listOf(Template) } },
    async handler({ res, query, auth }) {
      const rows = await listTemplates(deps.db, auth.tenantId, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({ items: page.map(presentTemplate), nextCursor: rows.length > query.limit ? (page.at(-1)?.key ?? null) : null });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/templates/{key}',
    summary: 'Get a template (its draft and published version number)',
    tag: 'Templates',
    scope: 'read',
    params: KeyParam,
    errors: [404],
    responses: { 200: { description: 'The template', schema: Template } },
    async handler({ res, params, auth }) {
      const row = await findTemplate(deps.db, auth.tenantId, params.key);
      if (!row) throw notFound('template');
      res.json(presentTemplate(row));
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/templates/{key}',
    summary: 'Delete a template and its versions (notifications keep the key and version they used)',
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    errors: [404],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      await removeTemplate(deps.db, auth, params.key);
      res.status(204).end();
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/templates/{key}/publish',
    summary: 'Freeze the draft as a new immutable version',
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    errors: [404, 422],
    idempotency: {},
    responses: { 201: { description: 'The new version', schema: TemplateVersion } },
    async handler({ res, params, auth }) {
      const version = await publishTemplate(deps.db, tools, auth, params.key);
      res.status(201).json({ key: version.key, version: version.version, createdAt: version.created_at.toISOString() });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/templates/{key}/versions',
    summary: 'List published versions, newest first',
    tag: 'Templates',
    scope: 'read',
    params: KeyParam,
    query: Pagination,
    errors: [404],
    responses: { 200: { description: 'Versions; pass nextCursor as cursor for older ones', schema: listOf(TemplateVersion) } },
    async handler({ res, params, query, auth }) {
      if (!(await findTemplate(deps.db, auth.tenantId, params.key))) throw notFound('template');
      const before = query.cursor === undefined ? undefined : Number.parseInt(query.cursor, 10);
      if (before !== undefined && !Number.isSafeInteger(before)) throw new HttpError(400, 'invalid_request', 'cursor is not one this API returned');
      const rows = await listTemplateVersions(deps.db, auth.tenantId, params.key, { limit: query.limit + 1, before });
      const page = rows.slice(0, query.limit);
      res.json({
        items: page.map((v) => ({ key: v.key, version: v.version, createdAt: v.created_at.toISOString() })),
        nextCursor: rows.length > query.limit ? String(page.at(-1)?.version ?? '') : null,
      });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/templates/{key}/versions/{version}',
    summary: 'Get one published version, exactly as it was published',
    tag: 'Templates',
    scope: 'read',
    params: VersionParam,
    errors: [404],
    responses: { 200: { description: 'The version', schema: TemplateVersionDetail } },
    async handler({ res, params, auth }) {
      const row = await findTemplateVersion(deps.db, auth.tenantId, params.key, params.version);
      if (!row) throw notFound('template version');
      res.json(presentTemplateVersion(row));
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/templates/{key}/rollback',
    summary: "Publish an earlier version's content again, as a new version (the draft is left as it is)",
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    body: RollbackRequest,
    errors: [404],
    idempotency: {},
    responses: { 201: { description: 'The new version', schema: TemplateVersion } },
    async handler({ res, params, body, auth }) {
      const version = await rollbackTemplate(deps.db, auth, params.key, body.version);
      res.status(201).json({ key: version.key, version: version.version, createdAt: version.created_at.toISOString() });
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/templates/{key}/preview',
    summary: 'Render the draft (or a version) for given data and locale, with SMS segments and sizes',
    tag: 'Templates',
    scope: 'read',
    params: KeyParam,
    body: PreviewRequest,
    errors: [404, 422],
    responses: { 200: { description: 'Rendered content per channel', schema: TemplatePreview } },
    async handler({ res, params, body, auth }) {
      const r = await previewTemplate(deps.db, tools, auth, params.key, body);
      res.json({ key: params.key, version: body.version ?? null, locale: body.locale ?? null, ...r });
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/templates/{key}/test-send',
    summary: 'Send the published (or given) version by email to one address, through the normal notification path',
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    body: TestSendRequest,
    errors: [404, 422],
    idempotency: {},
    responses: { 202: { description: 'The notification carrying the test', schema: Notification } },
    async handler({ res, params, body, auth }) {
      const { row } = await sendTest(deps, tools.variables, auth, params.key, body);
      res.status(202).json(presentNotification(row, await countDeliveries(deps.db, row.id), { uiUrl: deps.temporal.uiUrl, namespace: deps.temporal.namespace }));
    },
  });
}
