// Acting on a notification after it was submitted: maker-checker approval, cancel,
// pause/resume of a bulk send, resend (all or only failed targets), and edits before sending.
// The API records the decision and signals the notification's workflow, which acts on it
// (approval: one step, retry-safe; see domain/notifications/approval.ts).
import { z } from 'zod';
import { decideApproval } from '../../domain/notifications/approval.js';
import { cancelNotification, changeBeforeSending, pauseNotification, resendNotification, summarizeAudience } from '../../domain/notifications/control.js';
import { loadNotification } from '../../domain/notifications/lookup.js';
import { countDeliveries } from '../../schema/queries/notifications.js';
import { createRuns } from '../../domain/runs/runs.js';
import type { AuthContext } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { presentNotification } from '../presenters.js';
import { defineRoute, type RouteHost } from '../route.js';
import { IdParam, IsoDateTime, Notification } from '../schemas.js';
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
    decidedBy: z.string().nullable().optional().meta({ description: 'The key whose approval or rejection the run holds; null while it waits' }),
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

export function notificationControlRoutes(host: RouteHost, deps: AppDeps, variables: VariableValidator): void {
  const temporalView = { uiUrl: deps.temporal.uiUrl, namespace: deps.temporal.namespace };

  const runs = createRuns({ ...deps.temporal, timings: deps.timings });

  async function respond(res: Parameters<Parameters<typeof defineRoute>[1]['handler']>[0]['res'], auth: AuthContext, id: string, status = 200) {
    const n = await loadNotification(deps.db, auth.tenantId, id);
    res.status(status).json(presentNotification(n, await countDeliveries(deps.db, n.id), temporalView));
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
      responses: { 200: { description: 'The notification after the decision; the same decision by the same approver again answers the same', schema: Notification } },
      async handler({ res, params, body, auth }) {
        const n = await decideApproval({ db: deps.db, runs }, auth, params.id, { approved, comment: body.comment });
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
    // 422 when the notification's template was deleted since (template_version_not_found).
    errors: [404, 422],
    responses: { 200: { description: 'The summary', schema: AudienceSummary } },
    async handler({ res, params, auth }) {
      res.json(await summarizeAudience(deps, auth, params.id));
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
      const n = await loadNotification(deps.db, auth.tenantId, params.id);
      res.json(await runs.progress(n.id));
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
      const n = await cancelNotification(deps.db, auth, params.id, body.reason);
      await runs.cancel(n.id, { by: auth.keyId, ...(body.reason ? { reason: body.reason } : {}) });
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
        const n = await pauseNotification(deps.db, auth, params.id, pause);
        await (pause ? runs.pause(n.id) : runs.resume(n.id));
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
    idempotency: {},
    responses: { 202: { description: 'The new notification', schema: Notification } },
    async handler({ res, params, body, auth }) {
      const row = await resendNotification(deps, auth, variables, params.id, body.onlyFailed);
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
      const { notification: n, sendAt, expiresAt } = await changeBeforeSending(deps.db, auth, variables, params.id, body);
      await runs.reschedule(n.id, { sendAt: sendAt?.toISOString() ?? null, expiresAt: expiresAt?.toISOString() ?? null });
      await respond(res, auth, n.id);
    },
  });
}
