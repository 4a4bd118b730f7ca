import { findTemplate, publishTemplate, upsertTemplateDraft } from '../../schema/queries/templates.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { presentTemplate } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { KeyParam, Template, TemplateRequest, TemplateVersion } from '../schemas.js';
import { appendAudit } from '../../schema/queries/audit-log.js';

export function templateRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'put',
    path: '/v1/templates/{key}',
    summary: "Create or replace a template's draft",
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    body: TemplateRequest,
    responses: { 200: { description: 'Draft replaced', schema: Template }, 201: { description: 'Created', schema: Template } },
    async handler({ res, params, body, auth }) {
      const { row, created } = await upsertTemplateDraft(deps.db, {
        tenant_id: auth.tenantId,
        key: params.key,
        name: body.name ?? null,
        category: body.category ?? null,
        default_priority: body.defaultPriority ?? 'medium',
        content: JSON.stringify({ email: body.email }),
      });
      res.status(created ? 201 : 200).json(presentTemplate(row));
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
    method: 'post',
    path: '/v1/templates/{key}/publish',
    summary: 'Freeze the draft as a new immutable version',
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    errors: [404],
    responses: { 201: { description: 'The new version', schema: TemplateVersion } },
    async handler({ res, params, auth }) {
      const version = await deps.db.transaction().execute((tx) => publishTemplate(tx, auth.tenantId, params.key));
      if (!version) throw notFound('template');
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
}
