// What an email carries beyond its rendered content, per recipient: one-click unsubscribe
// headers, a VERP return path, and open/click tracking that names this delivery.
import { DEV_SIGNING_KEY } from '../../common/config.js';
import { createTtlCache } from '../../common/ttl-cache.js';
import { findCategorySettings } from '../../schema/queries/preferences.js';
import type { TemplateVersionRow } from '../../schema/tables/templates.js';
import { categoryPolicy, DEFAULT_CATEGORY } from '../audience/policy.js';
import { bounceAddress } from '../links/bounce-address.js';
import { addEmailTracking } from '../links/tracking-links.js';
import { unsubscribeHeaders } from '../links/unsubscribe.js';
import type { RenderedByChannel } from '../templates/render.js';
import type { DeliveryDeps } from './deps.js';

type Email = RenderedByChannel['email'];

export function createEmailExtras(deps: DeliveryDeps) {
  // Category settings change seldom, and a change applies within seconds.
  const categorySettings = createTtlCache<string, Awaited<ReturnType<typeof findCategorySettings>>>(5_000);

  return {
    /** RFC 8058 one-click unsubscribe headers, except for categories nobody may opt out of. */
    async headers(tenantId: string, userId: string, category: string | null): Promise<Record<string, string>> {
      const cat = category ?? DEFAULT_CATEGORY;
      const settings = await categorySettings.get(`${tenantId}:${cat}`, () => findCategorySettings(deps.db, tenantId, cat));
      if (!deps.signingKey || categoryPolicy(cat, settings).mandatory) return {};
      return unsubscribeHeaders({ publicUrl: deps.publicUrl, signingKey: deps.signingKey, ttlSeconds: deps.tokens?.unsubscribeTtlSeconds, tenantId, userId, category: cat });
    },

    /** The VERP return path of one delivery, when bounces are received (HERALD_BOUNCE_DOMAIN). */
    envelopeFrom(deliveryId: string): string | undefined {
      return deps.bounceDomain ? bounceAddress(deps.signingKey ?? DEV_SIGNING_KEY, deps.bounceDomain, deliveryId) : undefined;
    },

    /** Per recipient: each message's pixel and links carry its own delivery id. */
    async tracked(email: Email, tenantId: string, content: TemplateVersionRow['content'], deliveryId: string): Promise<Email> {
      if (email.html === undefined || !(await deps.tracker.emailTracking(tenantId, content))) return email;
      const html = addEmailTracking(email.html ?? '', { publicUrl: deps.publicUrl, signingKey: deps.signingKey ?? DEV_SIGNING_KEY, ttlSeconds: deps.tokens?.trackingTtlSeconds, deliveryId });
      return { ...email, html };
    },
  };
}
