// What an email carries beyond its rendered content, per recipient: one-click unsubscribe
// headers, a VERP return path, and open/click tracking that names this delivery; per
// notification: reply-to, cc, bcc and attachments (a URL's file fetched by the first delivery).
import { fetchAttachment } from '../../channels/attachment-fetch.js';
import type { EmailAttachment, EmailMessage } from '../../channels/types.js';
import { DEV_SIGNING_KEY } from '../../common/config.js';
import { createTtlCache } from '../../common/ttl-cache.js';
import { findEmailOptions, storeFetchedAttachment } from '../../schema/queries/notification-email.js';
import { findCategorySettings } from '../../schema/queries/preferences.js';
import { findTenant } from '../../schema/queries/tenants.js';
import type { NotificationAttachmentRow } from '../../schema/tables/notification-email.js';
import type { TemplateVersionRow } from '../../schema/tables/templates.js';
import { categoryPolicy, DEFAULT_CATEGORY } from '../audience/policy.js';
import { bounceAddress } from '../links/bounce-address.js';
import { addEmailTracking } from '../links/tracking-links.js';
import { unsubscribeHeaders } from '../links/unsubscribe.js';
import type { RenderedByChannel } from '../templates/render.js';
import type { DeliveryDeps } from './deps.js';

type Email = RenderedByChannel['email'];
export type EmailOptionsOf = Pick<EmailMessage, 'replyTo' | 'cc' | 'bcc' | 'attachments'>;

/** A URL's file, fetched once and stored so that every recipient gets the same bytes; within what the tenant allows in all. */
async function loadAttachments(deps: DeliveryDeps, tenantId: string, rows: NotificationAttachmentRow[]): Promise<EmailAttachment[]> {
  const tenant = await findTenant(deps.db, tenantId);
  let room = (tenant?.max_attachment_bytes ?? 0) - rows.reduce((n, r) => n + (r.content?.length ?? 0), 0);
  const out: EmailAttachment[] = [];
  for (const r of rows) {
    let content = r.content;
    let contentType = r.content_type;
    if (!content) {
      const outbound = { allow: tenant?.outbound_allowlist ?? [], dnsServers: deps.dnsServers };
      ({ content, contentType } = await fetchAttachment(r.url ?? '', { maxBytes: Math.max(0, room), contentType, outbound }));
      room -= content.length;
      await storeFetchedAttachment(deps.db, r.notification_id, r.position, content, contentType);
    }
    // Without a declared type, nodemailer takes it from the filename's extension.
    out.push({ filename: r.filename, content, ...(contentType ? { contentType } : {}), ...(r.content_id ? { contentId: r.content_id } : {}) });
  }
  return out;
}

export function createEmailExtras(deps: DeliveryDeps) {
  // Category settings change seldom, and a change applies within seconds.
  const categorySettings = createTtlCache<string, Awaited<ReturnType<typeof findCategorySettings>>>(5_000);
  // A notification's options never change; its files may be megabytes, so few are kept.
  const optionsOf = createTtlCache<string, EmailOptionsOf>(30_000, 20);

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

    /** Reply-to, cc, bcc and attachments of a notification (none for most). */
    options(tenantId: string, notificationId: string): Promise<EmailOptionsOf> {
      return optionsOf.get(notificationId, async () => {
        const { email, attachments } = await findEmailOptions(deps.db, notificationId);
        if (!email) return {};
        return { replyTo: email.reply_to, cc: email.cc, bcc: email.bcc, attachments: await loadAttachments(deps, tenantId, attachments) };
      });
    },

    /** Per recipient: each message's pixel and links carry its own delivery id. */
    async tracked(email: Email, tenantId: string, content: TemplateVersionRow['content'], deliveryId: string): Promise<Email> {
      if (email.html === undefined || !(await deps.tracker.emailTracking(tenantId, content))) return email;
      const html = addEmailTracking(email.html ?? '', { publicUrl: deps.publicUrl, signingKey: deps.signingKey ?? DEV_SIGNING_KEY, ttlSeconds: deps.tokens?.trackingTtlSeconds, deliveryId });
      return { ...email, html };
    },
  };
}
