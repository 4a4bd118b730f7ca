// Digest events: each joins the user's open digest for that key (signal-with-start), and
// the digest sends one notification when its window closes.
import { z } from 'zod';
import { taskQueueFor, type Priority } from '../../domain/runs/priorities.js';
import { findUser } from '../../schema/queries/users.js';
import type { DigestEvent, DigestInput, digestWorkflow } from '../../workflows/index.js';
import type { AppDeps } from '../deps.js';
import { dependencyUnavailable, unprocessable } from '../errors.js';
import { isDependencyDown } from '../../common/dependency-down.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId, Priority as PrioritySchema } from '../schemas.js';
import { resolveTemplate } from '../../domain/notifications/accept.js';

const DigestEventRequest = z
  .object({
    userId: ClientId,
    template: ClientId.meta({ description: 'Rendered with `events` (each event’s data plus `at`), `count` and `key`.' }),
    data: z.record(z.string(), z.unknown()).default({}),
    windowSeconds: z.number().int().min(1).max(7 * 86_400).default(3600).meta({ description: 'Set by the event that opens a window; later events join it.' }),
    channels: z.array(ChannelName).min(1).max(6).optional(),
    priority: PrioritySchema.optional(),
  })
  .strict()
  .meta({ id: 'DigestEventRequest' });

const DigestAccepted = z.object({ digestId: z.string(), key: z.string(), userId: z.string() }).meta({ id: 'DigestAccepted' });

export function digestRoutes(host: RouteHost, deps: AppDeps): void {
  defineRoute(host, {
    method: 'post',
    path: '/v1/digests/{key}/events',
    summary: "Add an event to a user's digest for this key; the digest sends one message per window",
    tag: 'Notifications',
    scope: 'send',
    params: z.object({ key: ClientId }),
    body: DigestEventRequest,
    errors: [422],
    responses: { 202: { description: 'Collected', schema: DigestAccepted } },
    async handler({ res, params, body, auth }) {
      await resolveTemplate(deps, auth.tenantId, { template: body.template } as never);
      if (!(await findUser(deps.db, auth.tenantId, body.userId))) throw unprocessable('unknown_users', `user ${body.userId} does not exist`, [{ userId: body.userId }]);
      const workflowId = `herald-digest:${auth.tenantId}:${body.userId}:${params.key}`;
      const input: DigestInput = {
        tenantId: auth.tenantId,
        userId: body.userId,
        key: params.key,
        template: body.template,
        windowMs: body.windowSeconds * 1000,
        channels: body.channels ?? null,
        priority: body.priority ?? null,
        taskQueuePrefix: deps.temporal.taskQueuePrefix,
        timings: deps.timings,
      };
      const event: DigestEvent = { data: body.data, at: new Date().toISOString() };
      try {
        await deps.temporal.client.workflow.signalWithStart<typeof digestWorkflow, [DigestEvent]>('digestWorkflow', {
          workflowId,
          taskQueue: taskQueueFor((body.priority ?? 'low') as Priority, deps.temporal.taskQueuePrefix),
          args: [input],
          signal: 'digestEvent',
          signalArgs: [event],
        });
      } catch (err) {
        if (isDependencyDown(err)) throw dependencyUnavailable();
        throw err;
      }
      res.status(202).json({ digestId: workflowId, key: params.key, userId: body.userId });
    },
  });
}
