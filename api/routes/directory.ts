// The tenant's LDAP / Active Directory connection and its syncs: configure (the bind secret is
// sealed at rest and never returned), sync on demand or on a Temporal Schedule, read reports.
import { z } from 'zod';
import {
  configureDirectory,
  loadDirectoryConfig,
  removeDirectory,
  startDirectorySyncNow,
  type DirectoryConfigRequest,
} from '../../domain/directory/ldap-config.js';
import { createRuns } from '../../domain/runs/runs.js';
import { findSync, listChanges, listSyncs } from '../../schema/queries/directory.js';
import type { DirectoryConfigRow, DirectorySyncRow } from '../../schema/tables/directory.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { defineRoute, type RouteHost } from '../route.js';
import { Timezone, listOf, Pagination } from '../schemas.js';

const Attributes = z
  .object({
    id: z.string().min(1).default('uid').meta({ description: 'The Herald user id: `uid`, `sAMAccountName`, or a stable id that survives renames — `entryUUID` (OpenLDAP) or `objectGUID` (AD, binary, read as a GUID string).' }),
    name: z.string().min(1).default('cn'),
    email: z.string().min(1).default('mail'),
    phone: z.string().min(1).default('mobile'),
    locale: z.string().min(1).default('preferredLanguage'),
    timezone: z.string().min(1).nullable().default(null),
    memberOf: z
      .string()
      .min(1)
      .nullable()
      .default('memberOf')
      .meta({ description: 'Attribute of users and groups listing the DNs of their groups (Active Directory; OpenLDAP memberof overlay); groups named there that the group search missed are read one by one. null: group members only.' }),
    groupId: z.string().min(1).default('cn'),
    groupName: z.string().min(1).default('cn'),
    groupMember: z.string().min(1).default('member'),
  })
  .strict();

const Schedule = z
  .object({
    cron: z.string().min(9).max(200).optional(),
    everySeconds: z.number().int().min(60).max(7 * 86_400).optional(),
    timezone: Timezone.default('UTC'),
    paused: z.boolean().default(false),
  })
  .strict()
  .refine((s) => (s.cron === undefined) !== (s.everySeconds === undefined), 'give exactly one of cron and everySeconds');

const DirectoryRequest = z
  .object({
    url: z.string().regex(/^ldaps?:\/\/[^\s/]+\/?$/, 'an ldap:// or ldaps:// URL (host and port)'),
    bindDn: z.string().min(1).max(1000),
    bindSecret: z.string().min(1).max(1000).optional().meta({ description: 'Required the first time; omitted, the stored one is kept. Never returned.' }),
    baseDn: z.string().min(1).max(1000),
    userBaseDn: z.string().min(1).max(1000).nullable().default(null),
    groupBaseDn: z.string().min(1).max(1000).nullable().default(null),
    userFilter: z.string().min(3).max(2000).default('(objectClass=inetOrgPerson)'),
    groupFilter: z.string().min(3).max(2000).default('(objectClass=groupOfNames)'),
    attributes: Attributes.default(Attributes.parse({})),
    pageSize: z.number().int().min(10).max(5000).default(500),
    tlsRejectUnauthorized: z.boolean().default(true),
    tlsMode: z
      .enum(['none', 'starttls', 'ldaps'])
      .optional()
      .meta({ description: '`starttls` upgrades an ldap:// connection before the bind; `ldaps` needs an ldaps:// URL. Default: `ldaps` for ldaps://, else `none`.' }),
    caCertificate: z.string().max(65_536).nullable().default(null).meta({ description: "PEM certificate(s) of the CA that signed the server's certificate, trusted besides the public roots." }),
    groupSearch: z.boolean().default(true).meta({ description: 'false: no subtree search for groups; groups come only from the memberOf attribute of users (and of groups, for nesting).' }),
    schedule: Schedule.nullable().default(null).meta({ description: 'When to sync (a Temporal Schedule); null: on demand only.' }),
  })
  .strict()
  .refine((d) => d.groupSearch || d.attributes.memberOf !== null, { message: 'groupSearch false needs attributes.memberOf, where the groups then come from', path: ['groupSearch'] })
  .refine((d) => d.tlsMode === undefined || (d.tlsMode === 'ldaps') === d.url.startsWith('ldaps://'), { message: 'tlsMode ldaps goes with an ldaps:// URL, none and starttls with ldap://', path: ['tlsMode'] })
  .meta({ id: 'DirectoryRequest' }) satisfies z.ZodType<DirectoryConfigRequest>;

const DirectoryResponse = z
  .object({
    url: z.string(),
    bindDn: z.string(),
    bindSecretSet: z.boolean(),
    baseDn: z.string(),
    userBaseDn: z.string().nullable(),
    groupBaseDn: z.string().nullable(),
    userFilter: z.string(),
    groupFilter: z.string(),
    attributes: z.record(z.string(), z.string().nullable()),
    pageSize: z.number().int(),
    tlsRejectUnauthorized: z.boolean(),
    tlsMode: z.enum(['none', 'starttls', 'ldaps']),
    caCertificate: z.string().nullable(),
    groupSearch: z.boolean(),
    schedule: z.object({ cron: z.string().nullable(), everySeconds: z.number().nullable(), timezone: z.string(), paused: z.boolean(), nextRuns: z.array(z.string()) }).nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Directory' });

const Counts = z.record(z.string(), z.number());
const SyncResponse = z
  .object({
    id: z.string(),
    trigger: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    phase: z.string(),
    pagesApplied: z.number().int(),
    report: z.object({ entries: Counts, users: Counts, groups: Counts, memberships: Counts, durationMs: z.number() }).nullable(),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    workflow: z.object({ workflowId: z.string(), temporalUiUrl: z.string() }),
  })
  .meta({ id: 'DirectorySync' });

const ChangeResponse = z
  .object({
    seq: z.string(),
    kind: z.string().meta({ description: 'user_created | user_updated | user_deactivated | user_reactivated | user_conflict | group_created | group_updated | group_removed | group_conflict | membership_added | membership_removed' }),
    userId: z.string().nullable(),
    groupId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'DirectorySyncChange' });

const SyncIdParam = z.object({ id: z.string().min(1).max(100) });
const ChangesQuery = Pagination.extend({ kind: z.string().max(40).optional() });

export function directoryRoutes(host: RouteHost, deps: AppDeps): void {
  const runs = createRuns({ ...deps.temporal, timings: deps.timings });
  const uiUrl = (workflowId: string) => runs.temporalUiUrl(workflowId);
  const directoryDeps = { db: deps.db, secretBox: deps.secretBox, runs };

  async function nextRuns(tenantId: string): Promise<string[]> {
    const d = await runs.describeDirectorySyncSchedule(tenantId);
    return (d?.info.nextActionTimes ?? []).slice(0, 3).map((t) => t.toISOString());
  }

  async function present(row: DirectoryConfigRow): Promise<z.infer<typeof DirectoryResponse>> {
    const { attributes, ...s } = row.settings;
    return {
      url: row.url,
      bindDn: row.bind_dn,
      bindSecretSet: row.bind_secret_sealed.length > 0,
      ...s,
      attributes: { ...attributes },
      schedule: row.schedule ? { ...row.schedule, nextRuns: await nextRuns(row.tenant_id) } : null,
      updatedAt: row.updated_at.toISOString(),
    };
  }

  function presentSync(row: DirectorySyncRow): z.infer<typeof SyncResponse> {
    return {
      id: row.id,
      trigger: row.trigger,
      status: row.status as 'running' | 'completed' | 'failed',
      phase: row.phase,
      pagesApplied: row.pages_applied,
      report: row.report as z.infer<typeof SyncResponse>['report'],
      error: row.error,
      startedAt: row.started_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
      workflow: { workflowId: row.workflow_id, temporalUiUrl: uiUrl(row.workflow_id) },
    };
  }

  defineRoute(host, {
    method: 'put',
    path: '/v1/directory/ldap',
    summary: "Configure the tenant's LDAP / Active Directory sync (the bind secret is sealed at rest and never returned)",
    tag: 'Directory',
    scope: 'admin',
    body: DirectoryRequest,
    errors: [422],
    responses: { 200: { description: 'The configuration', schema: DirectoryResponse } },
    async handler({ res, body, auth }) {
      const row = await configureDirectory(directoryDeps, auth, body);
      res.json(await present(row));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/directory/ldap',
    summary: 'The LDAP configuration (never the bind secret)',
    tag: 'Directory',
    scope: 'read',
    errors: [404],
    responses: { 200: { description: 'The configuration', schema: DirectoryResponse } },
    async handler({ res, auth }) {
      res.json(await present(await loadDirectoryConfig(deps.db, auth.tenantId)));
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/directory/ldap',
    summary: 'Remove the LDAP configuration and its schedule (synced users and groups stay, still read-only)',
    tag: 'Directory',
    scope: 'admin',
    errors: [404],
    responses: { 204: { description: 'Removed' } },
    async handler({ res, auth }) {
      await removeDirectory(directoryDeps, auth);
      res.status(204).end();
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/directory/ldap/syncs',
    summary: 'Start a sync now (a durable workflow); 409 while one runs',
    tag: 'Directory',
    scope: 'manage',
    errors: [404, 409],
    idempotency: {},
    responses: { 202: { description: 'Started', schema: SyncResponse } },
    async handler({ res, auth }) {
      const { syncId, workflowId } = await startDirectorySyncNow(directoryDeps, auth);
      // The workflow writes the row in its first step; answer with what it will say.
      res.status(202).json({
        id: syncId,
        trigger: 'manual',
        status: 'running',
        phase: 'starting',
        pagesApplied: 0,
        report: null,
        error: null,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        workflow: { workflowId, temporalUiUrl: uiUrl(workflowId) },
      } satisfies z.infer<typeof SyncResponse>);
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/directory/ldap/syncs',
    summary: 'Syncs, newest first',
    tag: 'Directory',
    scope: 'read',
    query: Pagination,
    responses: { 200: { description: 'A page of syncs', schema: listOf(SyncResponse) } },
    async handler({ res, query, auth }) {
      const rows = await listSyncs(deps.db, auth.tenantId, { limit: query.limit + 1, before: query.cursor });
      const page = rows.slice(0, query.limit);
      res.json({ items: page.map(presentSync), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/directory/ldap/syncs/{id}',
    summary: 'One sync: status, phase and (when finished) its report',
    tag: 'Directory',
    scope: 'read',
    params: SyncIdParam,
    errors: [404],
    responses: { 200: { description: 'The sync', schema: SyncResponse } },
    async handler({ res, params, auth }) {
      const row = await findSync(deps.db, auth.tenantId, params.id);
      if (!row) throw notFound('sync');
      res.json(presentSync(row));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/directory/ldap/syncs/{id}/changes',
    summary: 'What a sync changed, one row per user, group or membership change (cursor = the last seq)',
    tag: 'Directory',
    scope: 'read',
    params: SyncIdParam,
    query: ChangesQuery,
    errors: [404],
    responses: { 200: { description: 'A page of changes', schema: listOf(ChangeResponse) } },
    async handler({ res, params, query, auth }) {
      if (!(await findSync(deps.db, auth.tenantId, params.id))) throw notFound('sync');
      const rows = await listChanges(deps.db, params.id, { limit: query.limit + 1, after: query.cursor, kind: query.kind });
      const page = rows.slice(0, query.limit);
      res.json({
        items: page.map((c) => ({ seq: String(c.seq), kind: c.kind, userId: c.user_id, groupId: c.group_id, detail: c.detail })),
        nextCursor: rows.length > query.limit ? String(page.at(-1)?.seq ?? '') : null,
      });
    },
  });
}
