// Tenants, API keys and the audit log: who may do what, and who did what.
import { z } from 'zod';
import { createApiKey, revokeApiKey, type ApiKeyRequest as KeyRequest, type NewKey } from '../../domain/access/keys.js';
import { changeTenant, createTenant, tenantOf, type TenantChange, type TenantRequest as NewTenantRequest } from '../../domain/access/tenants.js';
import { MAX_ATTACHMENT_BYTES } from '../../domain/notifications/email-options.js';
import { listAudit } from '../../schema/queries/audit-log.js';
import { listTenantKeys } from '../../schema/queries/api-keys.js';
import type { TenantRow } from '../../schema/tables/tenants.js';
import { isValidCidr } from '../../channels/outbound-guard.js';
import type { ApiKeyRow } from '../../schema/tables/api-keys.js';
import { SCOPES, type Scope } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, IdParam, IsoDateTime, Pagination, Timezone, listOf } from '../schemas.js';
import { RETENTION_DEFAULT_DAYS, RETENTION_MAX_DAYS, RETENTION_MIN_DAYS } from '../../domain/storage/retention.js';
import { EPHEMERAL_DEFAULT_SECONDS, EPHEMERAL_MAX_SECONDS, EPHEMERAL_MIN_SECONDS, INLINE_RECIPIENT_MODES } from '../../domain/recipients/ephemeral.js';

const ScopeName = z.enum(SCOPES).meta({ id: 'Scope' });

const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the key, to recognise it; the secret itself is never returned again.' }),
    scopes: z.array(ScopeName),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

const NewApiKey = ApiKey.extend({ key: z.string().meta({ description: 'The secret. Shown once; Herald stores only its hash.' }) }).meta({ id: 'NewApiKey' });

const ApiKeyRequest = z
  .object({
    name: z.string().min(1).max(100),
    scopes: z.array(ScopeName).min(1),
    expiresAt: IsoDateTime.optional(),
    rateLimit: z
      .object({ perSecond: z.number().positive().max(100_000), burst: z.number().int().min(1).max(1_000_000).optional() })
      .strict()
      .optional()
      .meta({ description: 'Requests per second for this key, shared by all API processes; the server default otherwise.' }),
  })
  .strict()
  .meta({ id: 'ApiKeyRequest' }) satisfies z.ZodType<KeyRequest>;

const TenantRequest = z
  .object({
    id: ClientId,
    name: z.string().min(1).max(200),
    timezone: Timezone.default('UTC'),
  })
  .strict()
  .meta({ id: 'TenantRequest' }) satisfies z.ZodType<NewTenantRequest>;

const Tenant = z
  .object({ id: z.string(), name: z.string(), timezone: z.string(), bulkThreshold: z.number().int(), createdAt: z.string(), adminKey: NewApiKey })
  .meta({ id: 'NewTenant' });

const AuditEntry = z
  .object({ id: z.string(), actor: z.string(), action: z.string(), targetType: z.string(), targetId: z.string(), details: z.record(z.string(), z.unknown()), at: z.string() })
  .meta({ id: 'AuditEntry' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function presentKey(k: ApiKeyRow): z.infer<typeof ApiKey> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes as Scope[],
    createdAt: k.created_at.toISOString(),
    expiresAt: iso(k.expires_at),
    revokedAt: iso(k.revoked_at),
    lastUsedAt: iso(k.last_used_at),
  };
}

/** The one answer that carries the secret: it is never shown again. */
function presentNewKey(k: NewKey): z.infer<typeof NewApiKey> {
  return { key: k.secret, ...presentKey(k.row) };
}

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'HH:MM or HH:MM:SS, 24-hour');
const SendWindow = z
  .object({ start: TimeOfDay, end: TimeOfDay })
  .strict()
  .meta({
    id: 'SendWindow',
    description: "Hours of the tenant's day (its time zone) when low-priority bulk sends go out; may cross midnight. Checked before every batch: a campaign running when the window closes pauses (status `paused`, reason `waiting for the tenant send window`) and resumes when it opens.",
  });

const RETENTION_DESCRIPTION = `Days the tenant's deliveries, their activity log, delivery events and webhook deliveries are kept, counted from the notification's creation (events and webhook deliveries: from when the event happened); ${RETENTION_MIN_DAYS} to ${RETENTION_MAX_DAYS}, default ${RETENTION_DEFAULT_DAYS}. Older rows are deleted by the workers' storage maintenance, and the notification reads with \`purgedAt\` set.`;

const INLINE_RECIPIENTS_DESCRIPTION =
  "What a recipient named inline in a send (`to.recipients`) becomes. `directory` (the default): a user like any other. `ephemeral`: a user kept out of the directory (not listed by `GET /v1/users` or SCIM, not reached by `all`, groups, modules, topics or segments) that preferences, unsubscribes, suppressions and frequency caps still reach, deleted `ephemeralRecipientSeconds` after the last send that named it (or its expiry, when later) by the workers' storage maintenance; its deliveries stay. A `PUT /v1/users/{id}` of the same id makes it a directory user.";
const EPHEMERAL_SECONDS_DESCRIPTION = `How long an ephemeral inline recipient outlives the last send (its \`sendAt\`, else its acceptance) that named it, in seconds; ${EPHEMERAL_MIN_SECONDS} to ${EPHEMERAL_MAX_SECONDS}, default ${EPHEMERAL_DEFAULT_SECONDS} (30 days).`;

const InlineRecipients = z.enum(INLINE_RECIPIENT_MODES).meta({ id: 'InlineRecipientMode', description: INLINE_RECIPIENTS_DESCRIPTION });

const TenantSettings = z
  .object({
    id: z.string(),
    name: z.string(),
    timezone: z.string(),
    bulkThreshold: z.number().int(),
    dailyQuota: z.number().int().nullable().meta({ description: 'Recipient × channel deliveries per UTC day; null for none.' }),
    sendWindow: SendWindow.nullable(),
    approvalTimeoutSeconds: z.number().int(),
    dedupWindowSeconds: z.number().int(),
    outboundAllowlist: z.array(z.string()).meta({ description: 'Private CIDRs this tenant’s webhooks and HTTP gateways may reach.' }),
    tracking: z.boolean().meta({ description: 'Email open pixel and click-tracking links (a template can switch them off with `email.tracking: false`).' }),
    maxAttachmentBytes: z.number().int().meta({ description: 'The attachments and inline images of one email notification together, in bytes (default 10 MiB).' }),
    retentionDays: z.number().int().meta({ description: RETENTION_DESCRIPTION }),
    inlineRecipients: InlineRecipients,
    ephemeralRecipientSeconds: z.number().int().meta({ description: EPHEMERAL_SECONDS_DESCRIPTION }),
    createdAt: z.string(),
  })
  .meta({ id: 'Tenant' });

const TenantPatch = z
  .object({
    name: z.string().min(1).max(200).optional(),
    timezone: Timezone.optional(),
    bulkThreshold: z.number().int().min(1).max(10_000_000).optional(),
    dailyQuota: z.number().int().min(1).max(2_147_483_647).nullable().optional(),
    sendWindow: SendWindow.nullable().optional(),
    approvalTimeoutSeconds: z.number().int().min(1).max(30 * 86_400).optional(),
    dedupWindowSeconds: z.number().int().min(0).max(30 * 86_400).optional(),
    outboundAllowlist: z.array(z.string().refine(isValidCidr, 'not a CIDR, e.g. 10.0.0.0/8 or 127.0.0.1/32')).max(100).optional(),
    tracking: z.boolean().optional().meta({ description: 'Email open and click tracking for the whole tenant.' }),
    retentionDays: z.number().int().min(RETENTION_MIN_DAYS).max(RETENTION_MAX_DAYS).optional().meta({ description: RETENTION_DESCRIPTION }),
    inlineRecipients: InlineRecipients.optional(),
    ephemeralRecipientSeconds: z.number().int().min(EPHEMERAL_MIN_SECONDS).max(EPHEMERAL_MAX_SECONDS).optional().meta({ description: EPHEMERAL_SECONDS_DESCRIPTION }),
    maxAttachmentBytes: z.number().int().min(0).max(MAX_ATTACHMENT_BYTES).optional().meta({ description: `Attachments of one email notification together, in bytes; at most ${MAX_ATTACHMENT_BYTES} (what common relays accept once base64-encoded).` }),
  })
  .strict()
  .meta({ id: 'TenantPatch' }) satisfies z.ZodType<TenantChange>;

const Me = z.object({ tenantId: z.string(), keyId: z.string(), scopes: z.array(ScopeName) }).meta({ id: 'Me' });

function presentTenant(t: TenantRow): z.infer<typeof TenantSettings> {
  return {
    id: t.id,
    name: t.name,
    timezone: t.timezone,
    bulkThreshold: t.bulk_threshold,
    dailyQuota: t.daily_quota,
    sendWindow: t.send_window,
    approvalTimeoutSeconds: t.approval_timeout_seconds,
    dedupWindowSeconds: t.dedup_window_seconds,
    outboundAllowlist: t.outbound_allowlist,
    tracking: t.tracking,
    maxAttachmentBytes: t.max_attachment_bytes,
    retentionDays: t.retention_days,
    inlineRecipients: t.inline_recipients,
    ephemeralRecipientSeconds: t.ephemeral_recipient_seconds,
    createdAt: t.created_at.toISOString(),
  };
}

export function accessRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'get',
    path: '/v1/me',
    summary: 'The tenant and scopes of the calling key',
    tag: 'Access',
    scope: 'read',
    responses: { 200: { description: 'Who is calling', schema: Me } },
    handler({ res, auth }) {
      res.json({ tenantId: auth.tenantId, keyId: auth.keyId, scopes: auth.scopes });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/tenant',
    summary: "This key's tenant and its settings",
    tag: 'Access',
    scope: 'read',
    errors: [404],
    responses: { 200: { description: 'The tenant', schema: TenantSettings } },
    async handler({ res, auth }) {
      res.json(presentTenant(await tenantOf(deps.db, auth)));
    },
  });

  defineRoute(host, {
    method: 'patch',
    path: '/v1/tenant',
    summary: "Change this tenant's settings",
    tag: 'Access',
    scope: 'admin',
    body: TenantPatch,
    errors: [404],
    responses: { 200: { description: 'The updated tenant', schema: TenantSettings } },
    async handler({ res, body, auth }) {
      const t = await changeTenant(deps.db, auth, body);
      res.json(presentTenant(t));
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/tenants',
    summary: 'Create a tenant and its first admin key (shown once)',
    tag: 'Access',
    scope: 'system',
    body: TenantRequest,
    errors: [409],
    responses: { 201: { description: 'The tenant and its admin key', schema: Tenant } },
    async handler({ res, body, auth }) {
      const { tenant, adminKey } = await createTenant(deps.db, auth, body);
      res.status(201).json({
        id: tenant.id,
        name: tenant.name,
        timezone: tenant.timezone,
        bulkThreshold: tenant.bulk_threshold,
        createdAt: tenant.created_at.toISOString(),
        adminKey: presentNewKey(adminKey),
      });
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/api-keys',
    summary: 'Create an API key in this tenant (the secret is shown once)',
    tag: 'Access',
    scope: 'admin',
    body: ApiKeyRequest,
    errors: [422],
    responses: { 201: { description: 'The new key with its secret', schema: NewApiKey } },
    async handler({ res, body, auth }) {
      res.status(201).json(presentNewKey(await createApiKey(deps.db, auth, body)));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/api-keys',
    summary: "This tenant's API keys (never their secrets)",
    tag: 'Access',
    scope: 'admin',
    query: Pagination,
    responses: { 200: { description: 'Keys, oldest first', schema: listOf(ApiKey) } },
    async handler({ res, query, auth }) {
      const rows = await listTenantKeys(deps.db, auth.tenantId, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({ items: page.map(presentKey), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null });
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/api-keys/{id}',
    summary: 'Revoke an API key',
    tag: 'Access',
    scope: 'admin',
    params: IdParam,
    errors: [404, 409],
    responses: { 204: { description: 'Revoked' } },
    async handler({ res, params, auth }) {
      await revokeApiKey(deps.db, auth, params.id);
      res.status(204).end();
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/audit-log',
    summary: 'Who did what, when, in this tenant (newest first)',
    tag: 'Access',
    scope: 'admin',
    query: Pagination.extend({ cursor: z.string().regex(/^\d{1,18}$/, 'not a cursor from this list').optional() }),
    responses: { 200: { description: 'Audit entries', schema: listOf(AuditEntry) } },
    async handler({ res, query, auth }) {
      const rows = await listAudit(deps.dbRead ?? deps.db, auth.tenantId, { limit: query.limit + 1, before: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({
        items: page.map((e) => ({ id: String(e.id), actor: e.actor, action: e.action, targetType: e.target_type, targetId: e.target_id, details: e.details, at: e.at.toISOString() })),
        nextCursor: rows.length > query.limit ? String(page.at(-1)?.id ?? '') : null,
      });
    },
  });
}
