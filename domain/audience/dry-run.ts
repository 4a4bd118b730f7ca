// The dry run of an audience: how many users, per channel how many deliveries would go out
// (now or after quiet hours) and how many policy would suppress, by reason. Nothing is written.
import type { Channel } from '../../channels/types.js';
import type { Priority } from '../../common/priorities.js';
import type { Db } from '../../schema/database.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { findTemplate, findTemplateVersion } from '../../schema/queries/templates.js';
import { findTenant } from '../../schema/queries/tenants.js';
import type { Actor } from '../actor.js';
import { unprocessable } from '../errors.js';
import { templateChannels } from '../templates/channels.js';
import { countAudience, type AudienceCountResult } from './audience.js';
import { DEFAULT_CATEGORY, loadPolicyStatic, type PolicyContext } from './policy.js';

export interface AudienceCountRequest {
  to: AudienceSelectors;
  /** Count on its published version's channels (unless channels is given). */
  template?: string | undefined;
  channels?: Channel[] | undefined;
  category?: string | undefined;
  priority?: Priority | undefined;
}

export interface AudienceCountOutcome extends AudienceCountResult {
  category: string;
  evaluatedAt: string;
}

export async function countAudienceDryRun(deps: { db: Db; dbRead?: Db | undefined }, actor: Actor, body: AudienceCountRequest): Promise<AudienceCountOutcome> {
  const tenantId = actor.tenantId;
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
    groupChatKinds: fixed.groupChatKinds,
  };
  const result = await countAudience(deps.dbRead ?? deps.db, tenantId, body.to, ctx);
  return { ...result, category: cat, evaluatedAt: ctx.now.toISOString() };
}
