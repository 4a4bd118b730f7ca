// Acting on a notification after it was submitted: maker-checker approval, cancel,
// pause/resume of a bulk send, resend (all or only failed targets), and edits before sending.
// The API records the decision and signals the notification's workflow, which acts on it.
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { countAudience } from '../../domain/audience/audience.js';
import { policyContextFor } from '../../domain/delivery/prepare.js';
import { openSealed } from '../../domain/notifications/sealed-data.js';
import { FINAL_NOTIFICATION_STATUSES } from '../../schema/tables/statuses.js';
import { type Channel } from '../../channels/types.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { countDeliveries, findNotification } from '../../schema/queries/notifications.js';
import { recordDecision } from '../../schema/queries/orchestration.js';
import { findTemplateVersion } from '../../schema/queries/templates.js';
import type { NotificationRow } from '../../schema/tables/notifications.js';
import { approveSignal, cancelSignal, pauseSignal, progressQuery, rejectSignal, rescheduleSignal, resumeSignal } from '../../workflows/notification.js';
import type { AuthContext } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { dependencyUnavailable, HttpError, notFound, unprocessable } from '../errors.js';
import { isDependencyDown } from '../../common/dependency-down.js';
import { presentNotification } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { IdParam, IsoDateTime, Notification, type NotificationRequest } from '../schemas.js';
import { acceptNotification, startWorkflow } from '../../domain/notifications/accept.js';
import type { VariableValidator } from '../../domain/templates/variables.js';

// Bodies that may be left out entirely (`herald approve <id>`).
const Comment = z.object({ comment: z.string().max(2000).optional() }).strict().default({}).meta({ id: 'DecisionRequest' });
const CancelRequest = z.object({ reason: z.string().max(2000).optional() }).strict().default({}).meta({ id: 'CancelRequest' });
const ResendRequest = z.object({ onlyFailed: z.boolean().default(false) }).strict().default({ onlyFailed: false }).meta({ id: 'ResendRequest' });
const PatchRequest = z
  .object({ sendAt: IsoDateTime.nullable().optional(), expiresAt: IsoDateTime.nullable().optional(), data: z.record(z.string(), z.unknown()).optional() })
  .strict()
  .refine((p) => p.sendAt !== undefined || p.expiresAt !== undefined || p.data !== undefined, 'change at least one of sendAt, expiresAt, data')
  .meta({ id: 'NotificationPatch' });

const Progress = z
  .object({
    phase: z.string(),
    paused: z.boolean(),
    cancelled: z.boolean(),
    approved: z.boolean(),
    usersPrepared: z.number().int(),
    pagesDone: z.number().int(),
    runsContinued: z.number().int(),
  })
  .meta({ id: 'NotificationProgress' });

const AudienceSummary = z
  .object({
    users: z.number().int(),
    usersReached: z.number().int(),
    channels: z.record(z.string(), z.object({ send: z.number().int(), deferred: z.number().int(), suppressed: z.record(z.string(), z.number().int()) })),
    suppressed: z.record(z.string(), z.number().int()),
    estimatedSeconds: z.number().meta({ description: 'At the rate this machine was benchmarked at; see bench/README.md.' }),
  })
  .meta({ id: 'AudienceSummary' });

/** Deliveries per second one worker process sustains in the bulk benchmark (bench/README.md). */
const ESTIMATE_PER_SECOND = 150;

export function notificationControlRoutes(host: RouteHost, deps: AppDeps, variables: VariableValidator): void {
  const temporalView = { uiUrl: deps.temporal.uiUrl, namespace: deps.temporal.namespace };

  async function load(auth: AuthContext, id: string): Promise<NotificationRow> {
    const n = await findNotification(deps.db, auth.tenantId, id);
    if (!n) throw notFound('notification');
    return n;
  }

  async function signal(id: string, send: (h: ReturnType<AppDeps['temporal']['client']['workflow']['getHandle']>) => Promise<void>): Promise<void> {
    try {
      await send(deps.temporal.client.workflow.getHandle(id));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'not_running', 'this notification’s run has already finished');
      if (isDependencyDown(err)) throw dependencyUnavailable();
      throw err;
    }
  }

  async function respond(res: Parameters<Parameters<typeof defineRoute>[1]['handler']>[0]['res'], auth: AuthContext, id: string, status = 200) {
    const n = await load(auth, id);
    res.status(status).json(presentNotification(n, await countDeliveries(deps.db, n.id), temporalView));
  }

  function requireStatus(n: NotificationRow, allowed: readonly string[], code: string, message: string): void {
    if (!allowed.includes(n.status)) throw new HttpError(409, code, `${message} (status is ${n.status})`);
  }

  for (const approved of [true, false]) {
    const verb = approved ? 'approve' : 'reject';
    defineRoute(host, {
      method: 'post',
      path: `/v1/notifications/{id}/${verb}`,
      summary: approved ? 'Approve a bulk send (maker-checker: not by the key that created it)' : 'Reject a bulk send',
      tag: 'Approvals',
      scope: 'approve',
      params: IdParam,
      body: Comment,
      errors: [404, 409],
      responses: { 200: { description: 'The notification after the decision', schema: Notification } },
      async handler({ res, params, body, auth }) {
        const n = await load(auth, params.id);
        if (n.created_by === auth.keyId) throw new HttpError(403, 'creator_cannot_approve', 'the key that created a bulk send cannot approve or reject it');
        requireStatus(n, ['pending_approval'], 'not_pending_approval', 'only a bulk send waiting for approval can be decided');
        const decided = await recordDecision(deps.db, auth.tenantId, n.id, { approved, by: auth.keyId, comment: body.comment ?? null });
        if (!decided) throw new HttpError(409, 'already_decided', 'someone else decided this notification first');
        await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: `notification.${verb}`, targetType: 'notification', targetId: n.id, details: { comment: body.comment ?? null } });
        await signal(n.id, (h) => h.signal(approved ? approveSignal : rejectSignal, { by: auth.keyId, ...(body.comment ? { comment: body.comment } : {}) }));
        await respond(res, auth, n.id);
      },
    });
  }

  defineRoute(host, {
    method: 'get',
    path: '/v1/notifications/{id}/audience',
    summary: 'Dry-run summary of a notification’s audience for its approver: users, per channel, suppressions, estimated duration',
    tag: 'Approvals',
    scope: 'read',
    params: IdParam,
    errors: [404],
    responses: { 200: { description: 'The summary', schema: AudienceSummary } },
    async handler({ res, params, auth }) {
      const n = await load(auth, params.id);
      const template = await findTemplateVersion(deps.db, auth.tenantId, n.template_key, n.template_version);
      if (!template) throw unprocessable('template_version_not_found', 'the template version is gone');
      const ctx = await policyContextFor(deps, n, template, n.channels as Channel[]);
      const result = await countAudience(deps.dbRead ?? deps.db, auth.tenantId, n.audience as AudienceSelectors, ctx);
      const sends = Object.values(result.channels).reduce((s, c) => s + c.send, 0);
      res.json({ ...result, estimatedSeconds: Math.ceil(sends / ESTIMATE_PER_SECOND) });
    },
  });

  defineRoute(host, {
    method: 'get',
    path: '/v1/notifications/{id}/progress',
    summary: 'Live progress of a run (the workflow’s query): phase, paused, pages done',
    tag: 'Notifications',
    scope: 'read',
    params: IdParam,
    errors: [404, 409],
    responses: { 200: { description: 'Progress', schema: Progress } },
    async handler({ res, params, auth }) {
      const n = await load(auth, params.id);
      let p: z.infer<typeof Progress> | undefined;
      await signal(n.id, async (h) => {
        p = await h.query(progressQuery);
      });
      res.json(p);
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/notifications/{id}/cancel',
    summary: 'Cancel (kill switch): nothing more goes out; what went out stays sent',
    tag: 'Notifications',
    scope: 'send',
    params: IdParam,
    body: CancelRequest,
    errors: [404, 409],
    responses: { 202: { description: 'Cancelling', schema: Notification } },
    async handler({ res, params, body, auth }) {
      const n = await load(auth, params.id);
      if (FINAL_NOTIFICATION_STATUSES.includes(n.status as never)) throw new HttpError(409, 'already_finished', `the notification already ended (${n.status})`);
      await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'notification.cancel', targetType: 'notification', targetId: n.id, details: { reason: body.reason ?? null } });
      await signal(n.id, (h) => h.signal(cancelSignal, { by: auth.keyId, ...(body.reason ? { reason: body.reason } : {}) }));
      await respond(res, auth, n.id, 202);
    },
  });

  for (const pause of [true, false]) {
    defineRoute(host, {
      method: 'post',
      path: `/v1/notifications/{id}/${pause ? 'pause' : 'resume'}`,
      summary: pause ? 'Pause a bulk send between batches' : 'Resume a paused bulk send',
      tag: 'Notifications',
      scope: 'send',
      params: IdParam,
      errors: [404, 409],
      responses: { 202: { description: pause ? 'Pausing' : 'Resuming', schema: Notification } },
      async handler({ res, params, auth }) {
        const n = await load(auth, params.id);
        if (n.kind !== 'bulk') throw new HttpError(409, 'not_bulk', 'only a bulk send can be paused');
        if (FINAL_NOTIFICATION_STATUSES.includes(n.status as never)) throw new HttpError(409, 'already_finished', `the notification already ended (${n.status})`);
        await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: pause ? 'notification.pause' : 'notification.resume', targetType: 'notification', targetId: n.id });
        await signal(n.id, (h) => h.signal(pause ? pauseSignal : resumeSignal));
        await respond(res, auth, n.id, 202);
      },
    });
  }

  defineRoute(host, {
    method: 'post',
    path: '/v1/notifications/{id}/resend',
    summary: 'Send again as a new notification linked to this one; `onlyFailed` targets only the failed deliveries',
    tag: 'Notifications',
    scope: 'send',
    params: IdParam,
    body: ResendRequest,
    errors: [404, 409, 422],
    responses: { 202: { description: 'The new notification', schema: Notification } },
    async handler({ res, params, body, auth }) {
      const n = await load(auth, params.id);
      requireStatus(n, FINAL_NOTIFICATION_STATUSES, 'not_finished', 'only a finished notification can be resent');
      let to = n.audience as z.infer<typeof NotificationRequest>['to'];
      let channels = n.channels as Channel[];
      if (body.onlyFailed) {
        const failed = await deps.db.selectFrom('deliveries').select(['user_id', 'channel']).where('notification_id', '=', n.id).where('status', '=', 'failed').execute();
        if (failed.length === 0) throw unprocessable('nothing_failed', 'no delivery of this notification failed');
        to = { userIds: [...new Set(failed.map((f) => f.user_id))] };
        channels = [...new Set(failed.map((f) => f.channel as Channel))];
      }
      const req = {
        template: n.template_key,
        templateVersion: n.template_version,
        to,
        data: openSealed(n.data, deps.secretBox),
        priority: n.priority as z.infer<typeof NotificationRequest>['priority'],
        channels,
        ...(n.category ? { category: n.category } : {}),
      } as z.infer<typeof NotificationRequest>;
      const { row } = await acceptNotification(deps, auth, variables, req, { storedData: n.data, parentId: n.id });
      try {
        await startWorkflow(deps, row);
      } catch (err) {
        if (isDependencyDown(err)) throw dependencyUnavailable();
        throw err;
      }
      await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'notification.resend', targetType: 'notification', targetId: row.id, details: { parentId: n.id, onlyFailed: body.onlyFailed } });
      await respond(res, auth, row.id, 202);
    },
  });

  defineRoute(host, {
    method: 'patch',
    path: '/v1/notifications/{id}',
    summary: 'Change sendAt, expiresAt or data before the notification starts sending',
    tag: 'Notifications',
    scope: 'send',
    params: IdParam,
    body: PatchRequest,
    errors: [404, 409, 422],
    responses: { 200: { description: 'The changed notification', schema: Notification } },
    async handler({ res, params, body, auth }) {
      const n = await load(auth, params.id);
      requireStatus(n, ['scheduled', 'pending_approval'], 'already_sending', 'only a notification that has not started sending can be changed');
      const sendAt = body.sendAt === undefined ? n.send_at : body.sendAt ? new Date(body.sendAt) : null;
      const expiresAt = body.expiresAt === undefined ? n.expires_at : body.expiresAt ? new Date(body.expiresAt) : null;
      if (expiresAt && expiresAt <= new Date()) throw unprocessable('already_expired', 'expiresAt is in the past');
      if (expiresAt && sendAt && expiresAt <= sendAt) throw unprocessable('expires_before_send', 'expiresAt must be after sendAt');
      if (body.data) {
        const version = await findTemplateVersion(deps.db, auth.tenantId, n.template_key, n.template_version);
        const issues = variables.validate(version?.content.variables, body.data);
        if (issues.length > 0) throw unprocessable('invalid_data', 'data does not satisfy the template variables', issues);
      }
      const changed = await deps.db
        .updateTable('notifications')
        .set({ send_at: sendAt, expires_at: expiresAt, ...(body.data ? { data: JSON.stringify(body.data) } : {}), updated_at: new Date() })
        .where('tenant_id', '=', auth.tenantId)
        .where('id', '=', n.id)
        .where('status', 'in', ['scheduled', 'pending_approval'])
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 0) throw new HttpError(409, 'already_sending', 'the notification started sending meanwhile');
      await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'notification.update', targetType: 'notification', targetId: n.id, details: { sendAt: body.sendAt, expiresAt: body.expiresAt, data: body.data !== undefined } });
      await signal(n.id, (h) => h.signal(rescheduleSignal, { sendAt: sendAt?.toISOString() ?? null, expiresAt: expiresAt?.toISOString() ?? null }));
      await respond(res, auth, n.id);
    },
  });
}
