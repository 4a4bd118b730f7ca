// Database rows → the API's JSON. The only place that knows both shapes.
import { hideSealed } from '../domain/notifications/sealed-data.js';
import type { z } from 'zod';
import { type DeliveryCounts } from '../schema/tables/statuses.js';
import { type Channel } from '../channels/types.js';
import { templateChannels } from '../domain/templates/channels.js';
import type { DeliveryRow } from '../schema/tables/deliveries.js';
import type { NotificationRow } from '../schema/tables/notifications.js';
import type { TemplateContent, TemplateRow, TemplateVersionRow } from '../schema/tables/templates.js';
import type { UserRow } from '../schema/tables/users.js';
import type { Delivery, Notification, Template, TemplateVersionDetail, User } from './schemas.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function temporalRunUrl(uiUrl: string, namespace: string, workflowId: string, runId: string | null): string {
  const base = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

export function presentNotification(
  n: NotificationRow,
  counts: DeliveryCounts,
  temporal: { uiUrl: string; namespace: string },
): z.infer<typeof Notification> {
  return {
    id: n.id,
    status: n.status as z.infer<typeof Notification>['status'],
    statusReason: n.status_reason,
    kind: n.kind as 'single' | 'bulk',
    priority: n.priority as z.infer<typeof Notification>['priority'],
    category: n.category,
    template: { key: n.template_key, version: n.template_version },
    to: n.audience as z.infer<typeof Notification>['to'],
    channels: n.channels as Channel[],
    data: hideSealed(n.data),
    idempotencyKey: n.idempotency_key,
    sendAt: iso(n.send_at),
    expiresAt: iso(n.expires_at),
    counts,
    workflow: {
      workflowId: n.id,
      runId: n.workflow_run_id,
      temporalUiUrl: temporalRunUrl(temporal.uiUrl, temporal.namespace, n.id, n.workflow_run_id),
    },
    createdAt: n.created_at.toISOString(),
    updatedAt: n.updated_at.toISOString(),
    completedAt: iso(n.completed_at),
    purgedAt: iso(n.purged_at),
    approval: { decidedBy: n.decided_by, decidedAt: iso(n.decided_at), comment: n.decision_comment },
    parentId: n.parent_id,
    escalation: (n.escalation as z.infer<typeof Notification>['escalation']) ?? null,
  };
}

export function presentDelivery(d: DeliveryRow): z.infer<typeof Delivery> {
  return {
    id: d.id,
    userId: d.user_id,
    channel: d.channel as Channel,
    address: d.address,
    provider: d.provider,
    status: d.status as z.infer<typeof Delivery>['status'],
    attempts: d.attempts,
    reason: d.reason,
    errorCode: d.error_code,
    messageId: d.message_id,
    providerMessageId: d.provider_message_id,
    createdAt: d.created_at.toISOString(),
    sentAt: iso(d.sent_at),
    deliveredAt: iso(d.delivered_at),
    failedAt: iso(d.failed_at),
  };
}

export function presentUser(u: UserRow, m: { groups: string[]; modules: string[] } = { groups: [], modules: [] }): z.infer<typeof User> {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    phone: u.phone,
    locale: u.locale,
    timezone: u.timezone,
    attributes: u.attributes,
    identities: u.identities as z.infer<typeof User>['identities'],
    groups: m.groups,
    modules: m.modules,
    source: u.source,
    active: u.active,
    profileWarnings: u.profile_warnings,
    createdAt: u.created_at.toISOString(),
    updatedAt: u.updated_at.toISOString(),
  };
}

/** The definition fields of stored content, without the assets frozen at publish (an internal detail). */
function definitionOf(content: TemplateContent) {
  const { assets: _assets, ...definition } = content;
  return definition as Omit<z.infer<typeof Template>, 'key' | 'name' | 'category' | 'defaultPriority' | 'channels' | 'publishedVersion' | 'createdAt' | 'updatedAt'>;
}

export function presentTemplate(t: TemplateRow): z.infer<typeof Template> {
  return {
    key: t.key,
    name: t.name,
    category: t.category,
    defaultPriority: t.default_priority as z.infer<typeof Template>['defaultPriority'],
    channels: templateChannels(t.content),
    ...definitionOf(t.content),
    publishedVersion: t.published_version,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
  };
}

export function presentTemplateVersion(v: TemplateVersionRow): z.infer<typeof TemplateVersionDetail> {
  return {
    key: v.key,
    version: v.version,
    category: v.category,
    defaultPriority: v.default_priority as z.infer<typeof TemplateVersionDetail>['defaultPriority'],
    channels: templateChannels(v.content),
    ...definitionOf(v.content),
    createdAt: v.created_at.toISOString(),
  };
}
