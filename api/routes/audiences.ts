// The dry run of an audience: how many users, per channel how many deliveries would go out
// (now or after quiet hours) and how many policy would suppress, by reason. Nothing is written.
import type { z } from 'zod';
import { countAudience } from '../../domain/audience/audience.js';
import { DEFAULT_CATEGORY, loadPolicyStatic, type PolicyContext } from '../../domain/audience/policy.js';
import type { Channel } from '../../channels/types.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { findTemplate, findTemplateVersion } from '../../schema/queries/templates.js';
import { findTenant } from '../../schema/queries/tenants.js';
import type { AppDeps } from '../deps.js';
import { unprocessable } from '../errors.js';
import { templateChannels } from '../../domain/templates/channels.js';
import { AudienceCount, AudienceCountRequest } from '../recipient-schemas.js';
import { defineRoute, type RouteHost } from '../route.js';

export function audienceRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'post',
    path: '/v1/audiences/count',
    summary: 'Dry run: count an audience per channel and what policy would suppress or defer',
    tag: 'Recipients',
    scope: 'read',
    body: AudienceCountRequest,
    errors: [422],
    responses: { 200: { description: 'The counts', schema: AudienceCount } },
    async handler({ res, body, auth }) {
      const tenantId = auth.tenantId;
      let channels: Channel[] | undefined = body.channels ? [...new Set(body.channels)] : undefined;
      let available: Channel[] | undefined;
      let category = body.category;
      let priority: string = body.priority ?? 'medium';
      if (body.template) {
        const t = await findTemplate(deps.db, tenantId, body.template);
        const version = t?.published_version ? await findTemplateVersion(deps.db, tenantId, body.template, t.published_version) : undefined;
        if (!version) throw unprocessable('template_not_published', `template ${body.template} does not exist or has no published version`);
        available = templateChannels(version.content);
        channels ??= available;
        category ??= version.category ?? undefined;
        priority = body.priority ?? version.default_priority;
      }
      if (!channels) throw unprocessable('channels_required', 'give channels or a template to count on');
      const tenant = await findTenant(deps.db, tenantId);
      const cat = category ?? DEFAULT_CATEGORY;
      const fixed = await loadPolicyStatic(deps.db, tenantId, cat, tenant?.timezone ?? 'UTC');
      const ctx: PolicyContext = {
        now: new Date(),
        priority,
        category: fixed.category,
        tenantTimezone: fixed.tenantTimezone,
        channels,
        templateChannels: new Set(available ?? channels),
        providerKinds: fixed.providerKinds,
      };
      const result = await countAudience(deps.dbRead ?? deps.db, tenantId, body.to as AudienceSelectors, ctx);
      const out: z.infer<typeof AudienceCount> = { ...result, category: cat, evaluatedAt: ctx.now.toISOString() };
      res.json(out);
    },
  });
}
