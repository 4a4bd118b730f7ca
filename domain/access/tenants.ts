// Tenants: created by a `system` key with a first admin key, changed by their admins; both audited.
import type { DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { findTenant, insertTenant, updateTenant } from '../../schema/queries/tenants.js';
import type { InlineRecipientMode, TenantRow } from '../../schema/tables/tenants.js';
import type { Actor } from '../actor.js';
import { conflict, notFound } from '../errors.js';
import { issueKey, type NewKey } from './keys.js';

export interface TenantRequest {
  id: string;
  name: string;
  timezone: string;
}

/** Creates the tenant and its first admin key (the secret is returned once). */
export async function createTenant(db: DbOrTx, actor: Actor, req: TenantRequest): Promise<{ tenant: TenantRow; adminKey: NewKey }> {
  const tenant = await insertTenant(db, { id: req.id, name: req.name, timezone: req.timezone });
  if (!tenant) throw conflict('tenant_exists', `tenant ${req.id} already exists`);
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'tenant.create', targetType: 'tenant', targetId: tenant.id });
  const adminKey = await issueKey(db, tenant.id, actor.keyId, { name: 'first admin key', scopes: ['admin'] });
  return { tenant, adminKey };
}

export async function tenantOf(db: DbOrTx, actor: Actor): Promise<TenantRow> {
  const t = await findTenant(db, actor.tenantId);
  if (!t) throw notFound('tenant');
  return t;
}

/** The settings to change; a field left out stays as it is. */
export interface TenantChange {
  name?: string | undefined;
  timezone?: string | undefined;
  bulkThreshold?: number | undefined;
  dailyQuota?: number | null | undefined;
  sendWindow?: { start: string; end: string } | null | undefined;
  approvalTimeoutSeconds?: number | undefined;
  dedupWindowSeconds?: number | undefined;
  outboundAllowlist?: string[] | undefined;
  tracking?: boolean | undefined;
  maxAttachmentBytes?: number | undefined;
  retentionDays?: number | undefined;
  inlineRecipients?: InlineRecipientMode | undefined;
  ephemeralRecipientSeconds?: number | undefined;
}

export async function changeTenant(db: DbOrTx, actor: Actor, change: TenantChange): Promise<TenantRow> {
  const t = await updateTenant(db, actor.tenantId, {
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.timezone !== undefined ? { timezone: change.timezone } : {}),
    ...(change.bulkThreshold !== undefined ? { bulk_threshold: change.bulkThreshold } : {}),
    ...(change.outboundAllowlist !== undefined ? { outbound_allowlist: change.outboundAllowlist } : {}),
    ...(change.dailyQuota !== undefined ? { daily_quota: change.dailyQuota } : {}),
    ...(change.sendWindow !== undefined ? { send_window: change.sendWindow ? JSON.stringify(change.sendWindow) : null } : {}),
    ...(change.approvalTimeoutSeconds !== undefined ? { approval_timeout_seconds: change.approvalTimeoutSeconds } : {}),
    ...(change.dedupWindowSeconds !== undefined ? { dedup_window_seconds: change.dedupWindowSeconds } : {}),
    ...(change.tracking !== undefined ? { tracking: change.tracking } : {}),
    ...(change.maxAttachmentBytes !== undefined ? { max_attachment_bytes: change.maxAttachmentBytes } : {}),
    ...(change.retentionDays !== undefined ? { retention_days: change.retentionDays } : {}),
    ...(change.inlineRecipients !== undefined ? { inline_recipients: change.inlineRecipients } : {}),
    ...(change.ephemeralRecipientSeconds !== undefined ? { ephemeral_recipient_seconds: change.ephemeralRecipientSeconds } : {}),
  });
  if (!t) throw notFound('tenant');
  await appendAudit(db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'tenant.update', targetType: 'tenant', targetId: actor.tenantId, details: change as Record<string, unknown> });
  return t;
}
