// Recurring sends on Temporal Schedules: cron (or a fixed interval) in a time zone, with
// pause/resume and an overlap policy. Each firing creates one notification; a bulk send is
// approved once per version of what the schedule sends.
import type { ScheduleDescription } from '@temporalio/client';
import { z } from 'zod';
import { createRuns } from '../../domain/runs/runs.js';
import { approveSchedule } from '../../domain/schedules/approval.js';
import {
  createSchedule,
  editScheduleNotification,
  loadSchedule,
  pauseSchedule,
  removeSchedule,
  type ScheduleDefinition,
  type ScheduledNotification as DomainScheduledNotification,
} from '../../domain/schedules/schedules.js';
import { listSchedules } from '../../schema/queries/schedules.js';
import type { ScheduleRow } from '../../schema/tables/schedules.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId, listOf, NotificationRequest, Pagination, Timezone } from '../schemas.js';
import type { VariableValidator } from '../../domain/templates/variables.js';

const ScheduledNotification = NotificationRequest.omit({ sendAt: true, expiresAt: true, idempotencyKey: true })
  .extend({ ttlSeconds: z.number().int().min(1).max(30 * 86_400).optional().meta({ description: 'Each firing’s notification expires this long after it fires.' }) })
  .meta({ id: 'ScheduledNotification' }) satisfies z.ZodType<DomainScheduledNotification>;

const ScheduleRequest = z
  .object({
    id: ClientId,
    cron: z.string().min(9).max(200).optional().meta({ description: 'Standard 5-field cron, e.g. `0 9 * * 1-5`.', example: '0 9 * * 1-5' }),
    everySeconds: z.number().int().min(1).max(366 * 86_400).optional().meta({ description: 'A fixed interval instead of cron.' }),
    timezone: Timezone.default('UTC'),
    overlap: z.enum(['skip', 'buffer_one', 'allow_all']).default('skip'),
    paused: z.boolean().default(false),
    notification: ScheduledNotification,
  })
  .strict()
  .refine((s) => (s.cron === undefined) !== (s.everySeconds === undefined), 'give exactly one of cron and everySeconds')
  .meta({ id: 'ScheduleRequest' }) satisfies z.ZodType<ScheduleDefinition>;

const Schedule = z
  .object({
    id: z.string(),
    cron: z.string().nullable(),
    everySeconds: z.number().int().nullable(),
    timezone: z.string(),
    overlap: z.string(),
    paused: z.boolean(),
    notification: z.record(z.string(), z.unknown()),
    version: z.number().int().meta({ description: 'Bumped by every edit of `notification`.' }),
    approval: z
      .object({ version: z.number().int(), approvedBy: z.string(), approvedAt: z.string() })
      .nullable()
      .meta({ description: 'The version an approver approved: a bulk send\'s firings of that version go out without asking again; an edit (a new version) asks again. Null when none was.' }),
    nextFireTimes: z.array(z.string()),
    recentFirings: z.array(z.object({ scheduledAt: z.string(), workflowId: z.string() })),
    createdBy: z.string().meta({ description: 'The API key that created the schedule: it cannot approve it (maker-checker).' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Schedule' });

const SchedulePatch = z
  .object({
    paused: z.boolean().optional(),
    notification: ScheduledNotification.optional().meta({ description: 'Replaces what each firing sends: a new version, which a bulk send must have approved again.' }),
  })
  .strict()
  .refine((p) => p.paused !== undefined || p.notification !== undefined, 'give paused, notification or both')
  .meta({ id: 'SchedulePatch' });
const ScheduleIdParam = z.object({ id: ClientId });

export function scheduleRoutes(host: RouteHost, deps: AppDeps, variables: VariableValidator): void {
  const runs = createRuns({ ...deps.temporal, timings: deps.timings });
  const scheduleDeps = { db: deps.db, runs };

  function present(row: ScheduleRow, desc: ScheduleDescription | undefined): z.infer<typeof Schedule> {
    return {
      id: row.id,
      cron: row.cron,
      everySeconds: row.every_seconds,
      timezone: row.timezone,
      overlap: row.overlap,
      paused: desc?.state.paused ?? row.paused,
      notification: row.body,
      version: row.version,
      createdBy: row.created_by,
      approval: row.approved_version !== null && row.approved_by && row.approved_at ? { version: row.approved_version, approvedBy: row.approved_by, approvedAt: row.approved_at.toISOString() } : null,
      nextFireTimes: (desc?.info.nextActionTimes ?? []).slice(0, 5).map((d) => d.toISOString()),
      recentFirings: (desc?.info.recentActions ?? []).map((a) => ({
        scheduledAt: a.scheduledAt.toISOString(),
        workflowId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : '',
      })),
      createdAt: row.created_at.toISOString(),
    };
  }

  const describe = (tenantId: string, id: string) => runs.describeScheduledSend(tenantId, id);

  defineRoute(host, {
    method: 'post',
    path: '/v1/schedules',
    summary: 'Create a recurring send',
    tag: 'Schedules',
    scope: 'send',
    body: ScheduleRequest,
    errors: [409, 422],
    idempotency: {},
    responses: { 201: { description: 'The schedule', schema: Schedule } },
    async handler({ res, body, auth }) {
      const row = await createSchedule(scheduleDeps, variables, auth, body);
      res.status(201).json(present(row, await describe(auth.tenantId, body.id)));
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/schedules',
    summary: 'Recurring sends with their next fire times',
    tag: 'Schedules',
    scope: 'read',
    query: Pagination,
    responses: { 200: { description: 'Schedules', schema: listOf(Schedule) } },
    async handler({ res, query, auth }) {
      const rows = await listSchedules(deps.db, auth.tenantId, { limit: query.limit + 1, after: query.cursor });
      const page = rows.slice(0, query.limit);
      const items = await Promise.all(page.map(async (r) => present(r, await describe(auth.tenantId, r.id))));
      res.json({ items, nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/schedules/{id}',
    summary: 'One recurring send',
    tag: 'Schedules',
    scope: 'read',
    params: ScheduleIdParam,
    errors: [404],
    responses: { 200: { description: 'The schedule', schema: Schedule } },
    async handler({ res, params, auth }) {
      const row = await loadSchedule(deps.db, auth.tenantId, params.id);
      res.json(present(row, await describe(auth.tenantId, row.id)));
    },
  });

  defineRoute(host, {
    method: 'patch',
    path: '/v1/schedules/{id}',
    summary: 'Pause or resume a recurring send, or edit what it sends (a new version)',
    tag: 'Schedules',
    scope: 'send',
    params: ScheduleIdParam,
    body: SchedulePatch,
    errors: [404, 422],
    responses: { 200: { description: 'The schedule', schema: Schedule } },
    async handler({ res, params, body, auth }) {
      let row = body.notification ? await editScheduleNotification(scheduleDeps, variables, auth, params.id, body.notification) : undefined;
      if (body.paused !== undefined) row = await pauseSchedule(scheduleDeps, auth, params.id, body.paused);
      res.json(present(row ?? (await loadSchedule(deps.db, auth.tenantId, params.id)), await describe(auth.tenantId, params.id)));
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/schedules/{id}/approve',
    summary: 'Approve the current version of a recurring bulk send: its firings go out without asking again until the next edit (maker-checker: not by the key that created it)',
    tag: 'Schedules',
    scope: 'approve',
    params: ScheduleIdParam,
    errors: [403, 404, 409],
    responses: { 200: { description: 'The schedule', schema: Schedule } },
    async handler({ res, params, auth }) {
      const row = await approveSchedule(deps.db, auth, params.id);
      res.json(present(row, await describe(auth.tenantId, params.id)));
    },
  });

  defineRoute(host, {
    method: 'delete',
    path: '/v1/schedules/{id}',
    summary: 'Delete a recurring send (notifications it already created are kept)',
    tag: 'Schedules',
    scope: 'send',
    params: ScheduleIdParam,
    errors: [404],
    responses: { 204: { description: 'Deleted' } },
    async handler({ res, params, auth }) {
      await removeSchedule(scheduleDeps, auth, params.id);
      res.status(204).end();
    },
  });
}
