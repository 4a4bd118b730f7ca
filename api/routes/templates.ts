import { appendAudit } from '../../schema/queries/audit-log.js';
import { countDeliveries } from '../../schema/queries/notifications.js';
import {
  deleteTemplate,
  findTemplate,
  findTemplateVersion,
  insertNextVersion,
  listTemplates,
  listTemplateVersions,
  lockTemplate,
  upsertTemplateDraft,
} from '../../schema/queries/templates.js';
import { upsertUser } from '../../schema/queries/users.js';
import type { TemplateContent } from '../../schema/tables/templates.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound, unprocessable } from '../errors.js';
import { presentNotification, presentTemplate, presentTemplateVersion } from '../presenters.js';
import { templateChannels } from '../../domain/templates/channels.js';
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
import { submitNotification } from '../../domain/notifications/accept.js';
import { carriersFor } from '../../domain/templates/carriers.js';
import { preview, publishProblems, RenderFailed, templateSources, withAssets, type TemplateTools } from '../../domain/templates/service.js';

/** Test sends go to a recipient of this reserved id prefix, one per address, through the normal path. */
export const TEST_SEND_USER_PREFIX = 'test-send:';

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
      const { name, category, defaultPriority, ...definition } = body;
      const content = definition as TemplateContent;
      // Syntax and schema errors surface while editing, not first at publish or send time.
      const syntax = templateSources(content).flatMap(({ where, source }) => {
        try {
          tools.renderer.check(source, where);
          return [];
        } catch (err) {
          return [{ field: where, message: (err as Error).message }];
        }
      });
      if (syntax.length > 0) throw unprocessable('template_syntax', 'some template text does not compile', syntax);
      if (content.variables) {
        try {
          tools.variables.check(content.variables);
        } catch (err) {
          throw unprocessable('invalid_variables_schema', `variables is not a usable JSON Schema: ${(err as Error).message}`);
        }
      }
      const { row, created } = await upsertTemplateDraft(deps.db, {
        tenant_id: auth.tenantId,
        key: params.key,
        name: name ?? null,
        category: category ?? null,
        default_priority: defaultPriority ?? 'medium',
        content: JSON.stringify(content),
      });
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
      if (!(await deleteTemplate(deps.db, auth.tenantId, params.key))) throw notFound('template');
      await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'template.delete', targetType: 'template', targetId: params.key });
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
    responses: { 201: { description: 'The new version', schema: TemplateVersion } },
    async handler({ res, params, auth }) {
      const version = await deps.db.transaction().execute(async (tx) => {
        const draft = await lockTemplate(tx, auth.tenantId, params.key);
        if (!draft) throw notFound('template');
        const content = await withAssets(tx, auth.tenantId, draft.content);
        const problems = publishProblems(tools, content, await carriersFor(tx, auth.tenantId, tools.channels));
        if (problems.variables.length > 0) {
          throw unprocessable('invalid_example_data', 'exampleData does not satisfy variables', problems.variables);
        }
        if (problems.content.length > 0) throw unprocessable('template_invalid', 'some content cannot be rendered or does not fit its channel', problems.content);
        return insertNextVersion(tx, auth.tenantId, params.key, { content, category: draft.category, default_priority: draft.default_priority });
      });
      await appendAudit(deps.db, {
        tenantId: auth.tenantId,
        actor: auth.keyId,
        action: 'template.publish',
        targetType: 'template',
        targetId: params.key,
        details: { version: version.version },
      });
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
    responses: { 201: { description: 'The new version', schema: TemplateVersion } },
    async handler({ res, params, body, auth }) {
      const version = await deps.db.transaction().execute(async (tx) => {
        if (!(await lockTemplate(tx, auth.tenantId, params.key))) throw notFound('template');
        const old = await findTemplateVersion(tx, auth.tenantId, params.key, body.version);
        if (!old) throw notFound('template version');
        // The old version's frozen layouts and partials come along: it sends exactly what it sent.
        return insertNextVersion(tx, auth.tenantId, params.key, { content: old.content, category: old.category, default_priority: old.default_priority });
      });
      await appendAudit(deps.db, {
        tenantId: auth.tenantId,
        actor: auth.keyId,
        action: 'template.rollback',
        targetType: 'template',
        targetId: params.key,
        details: { from: body.version, version: version.version },
      });
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
      let content: TemplateContent;
      if (body.version !== undefined) {
        const v = await findTemplateVersion(deps.db, auth.tenantId, params.key, body.version);
        if (!v) throw notFound('template version');
        content = v.content;
      } else {
        const t = await findTemplate(deps.db, auth.tenantId, params.key);
        if (!t) throw notFound('template');
        content = await withAssets(deps.db, auth.tenantId, t.content);
      }
      const available = templateChannels(content);
      if (body.channel && !available.includes(body.channel)) {
        throw unprocessable('channel_not_in_template', `template ${params.key} has no content for ${body.channel}`, [{ channel: body.channel }]);
      }
      const issues = tools.variables.validate(content.variables, body.data);
      if (issues.length > 0) throw unprocessable('invalid_data', 'data does not satisfy the template variables', issues);
      try {
        const carriers = await carriersFor(deps.db, auth.tenantId, tools.channels);
        const r = preview(tools.renderer, content, body.channel ? [body.channel] : available, { ...body, carriers, templateKey: params.key });
        res.json({ key: params.key, version: body.version ?? null, locale: body.locale ?? null, ...r });
      } catch (err) {
        if (err instanceof RenderFailed) throw unprocessable('render_failed', 'the template could not be rendered', err.problems);
        throw err;
      }
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
    responses: { 202: { description: 'The notification carrying the test', schema: Notification } },
    async handler({ res, params, body, auth }) {
      const t = await findTemplate(deps.db, auth.tenantId, params.key);
      if (!t) throw notFound('template');
      // A recipient row per test address: the same prepare → deliver path as real sends,
      // so a test proves the ledger, provider and rendering a real notification would use.
      const email = body.email.toLowerCase();
      const userId = `${TEST_SEND_USER_PREFIX}${email}`;
      await upsertUser(deps.db, {
        tenant_id: auth.tenantId,
        id: userId,
        name: null,
        email,
        phone: null,
        locale: body.locale ?? null,
        timezone: body.timezone ?? null,
        identities: JSON.stringify({}),
        attributes: JSON.stringify({ testSend: true }),
      });
      const { row } = await submitNotification(deps, auth, tools.variables, {
        template: params.key,
        ...(body.version !== undefined ? { templateVersion: body.version } : {}),
        to: { userIds: [userId] },
        data: body.data,
        channels: ['email'],
        category: 'test',
      });
      res.status(202).json(presentNotification(row, await countDeliveries(deps.db, row.id), { uiUrl: deps.temporal.uiUrl, namespace: deps.temporal.namespace }));
    },
  });
}
