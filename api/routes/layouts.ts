// Tenant-wide pieces templates refer to by key: email layouts and partials. A template's
// draft uses their current text; publishing freezes the ones it uses into the version.
import { saveAsset } from '../../domain/templates/assets.js';
import type { Renderer } from '../../domain/templates/render.js';
import { findTemplateAsset } from '../../schema/queries/template-assets.js';
import type { TemplateAssetRow } from '../../schema/tables/template-assets.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { defineRoute, type RouteHost } from '../route.js';
import { KeyParam, Layout, LayoutRequest, Partial, PartialRequest } from '../schemas.js';

const times = (r: TemplateAssetRow) => ({ createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() });

export function layoutRoutes(host: RouteHost, deps: AppDeps, renderer: Renderer): void {
  defineRoute(host, {
    method: 'put',
    path: '/v1/layouts/{key}',
    summary: 'Create or replace an email layout (html with {{{body}}} where the email goes)',
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    body: LayoutRequest,
    errors: [422],
    responses: { 200: { description: 'Replaced', schema: Layout }, 201: { description: 'Created', schema: Layout } },
    async handler({ res, params, body, auth }) {
      const { row, created } = await saveAsset(deps.db, renderer, auth, { kind: 'layout', key: params.key, source: body.html, where: 'html' });
      res.status(created ? 201 : 200).json({ key: row.key, html: row.source, ...times(row) });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/layouts/{key}',
    summary: 'Get an email layout',
    tag: 'Templates',
    scope: 'read',
    params: KeyParam,
    errors: [404],
    responses: { 200: { description: 'The layout', schema: Layout } },
    async handler({ res, params, auth }) {
      const row = await findTemplateAsset(deps.db, auth.tenantId, 'layout', params.key);
      if (!row) throw notFound('layout');
      res.json({ key: row.key, html: row.source, ...times(row) });
    },
  });

  defineRoute(host, {
    method: 'put',
    path: '/v1/partials/{key}',
    summary: 'Create or replace a partial, used in templates as {{> key}}',
    tag: 'Templates',
    scope: 'manage',
    params: KeyParam,
    body: PartialRequest,
    errors: [422],
    responses: { 200: { description: 'Replaced', schema: Partial }, 201: { description: 'Created', schema: Partial } },
    async handler({ res, params, body, auth }) {
      const { row, created } = await saveAsset(deps.db, renderer, auth, { kind: 'partial', key: params.key, source: body.source, where: 'source' });
      res.status(created ? 201 : 200).json({ key: row.key, source: row.source, ...times(row) });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/partials/{key}',
    summary: 'Get a partial',
    tag: 'Templates',
    scope: 'read',
    params: KeyParam,
    errors: [404],
    responses: { 200: { description: 'The partial', schema: Partial } },
    async handler({ res, params, auth }) {
      const row = await findTemplateAsset(deps.db, auth.tenantId, 'partial', params.key);
      if (!row) throw notFound('partial');
      res.json({ key: row.key, source: row.source, ...times(row) });
    },
  });
}
